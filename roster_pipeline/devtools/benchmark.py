"""Time first loads, day-2 syncs and re-sends of generated districts through the real assets.

    python -m roster_pipeline.devtools.benchmark --students 500000 --repeat 3 --out bench.json
        [--profile households|agents|both] [--churn quiet,typical,heavy] [--guardians-rows N]

Two district profiles (``generate``: links on the students' rows, 1.4 students a household;
``generate_agents``: links on the guardians' rows, households of 1-5 children and 1-3 adults,
the SIS's own columns) and a day 2 per churn level (``churn.LEVELS``: quiet 0.5%, typical 2%
students + 3% contacts + 5% classes, heavy 10%), plus an unchanged re-send (day 1's bytes under a
new batch name). Each round times, one after another on the same files: a bare DuckDB baseline
(files read as text, enrollments joined to users and classes, guardians to students, written to
a .duckdb file), the first load, each day 2 and the re-send from the first load's state; each in
a fresh child process, through ``dg.materialize`` of the real assets, with contact updates on
and the deactivation/update holds at 60% (the benchmark times the sync, not its safeguards).
A day 2 starts from the first load's warehouse and row memo, as a nightly sync would.
Reports, per profile, medians of seconds and of each round's ratio to its own baseline, input
rows per second and peak resident memory, to stdout and JSON.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import resource
import shutil
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from queue import Empty

SETTINGS = {"update_active_contacts": True, "hold_deactivate_pct": 60.0, "hold_update_pct": 60.0}
"""The district settings of every timed sync: contact updates applied, holds out of the way."""


def _materialize(folder: str, db: str) -> dict:
    """The full load through the real Dagster assets and checks; whether it was carried over."""
    import roster_pipeline.definitions  # noqa: F401  the code location, as a run worker loads it
    from roster_pipeline.defs.sync.materialize import materialize_batch

    result = materialize_batch(Path(folder), duckdb_path=db, **SETTINGS)
    plan = [
        m.metadata
        for m in result.asset_materializations_for_node("roster_sync")
        if m.asset_key.to_user_string() == "sync_plan"
    ]
    carried = bool(plan and plan[0]["carried_over_from"].value)
    recognised = plan[0]["rows_recognised"].value if plan else 0
    not_compared = plan[0]["records_not_compared"].value if plan else 0
    return {
        "success": result.success,
        "carried_over": carried,
        "rows_recognised": recognised,
        "records_not_compared": not_compared,
    }


BASELINE_SQL = (
    # quote and escape given: the sniffer looks at the first rows only, and a users.csv whose
    # first quoted field comes after them (guardians listed after the students) would fail
    "CREATE TABLE {name} AS SELECT * FROM read_csv($path, all_varchar = true, header = true, "
    "quote = '\"', escape = '\"')",
    "CREATE TABLE enrollment_links AS SELECT e.*, u.role AS user_role, c.title AS class_title "
    "FROM enrollments e JOIN users u ON u.sourcedId = e.userSourcedId "
    "JOIN classes c ON c.sourcedId = e.classSourcedId",
    "CREATE TABLE guardian_links AS SELECT l.student, l.guardian, g.role "
    "FROM (SELECT sourcedId AS student, unnest(string_split(agentSourcedIds, ',')) AS guardian "
    "FROM users WHERE agentSourcedIds IS NOT NULL) l JOIN users g ON g.sourcedId = l.guardian",
)


def _bare_duckdb(folder: str, db: str) -> bool:
    """Baseline: the files read as text by DuckDB, the reference joins, written to a file."""
    import duckdb

    Path(db).unlink(missing_ok=True)
    with duckdb.connect(db) as con:
        for name in ("orgs", "classes", "users", "enrollments"):
            sql = BASELINE_SQL[0].replace("{name}", name)  # name from the fixed tuple above
            con.execute(sql, {"path": str(Path(folder) / f"{name}.csv")}).fetchall()
        for sql in BASELINE_SQL[1:]:
            con.execute(sql).fetchall()
        con.execute("CHECKPOINT").fetchall()
    return True


def _preview_guardians(path: str, db: str) -> bool:
    """A guardians.csv Dry Run against the loaded district."""
    from roster_pipeline.uploads.guardians.upload import run_upload
    from roster_pipeline.warehouse import Warehouse

    outcome = run_upload(
        Path(path), Warehouse(db), mode="preview", results_dir=Path(db).parent / "results"
    )
    return outcome.results.height > 0


Task = Callable[[str, str], "bool | dict"]
"""A timed run: its success, or a dict of it (``success``) and what else it reports."""


def _measured(task: Task, first: str, second: str, queue: mp.Queue) -> None:
    """Run ``task`` in this (child) process; report its seconds and this process's peak RSS."""
    started = time.perf_counter()
    outcome = task(first, second)
    elapsed = time.perf_counter() - started
    reported = outcome if isinstance(outcome, dict) else {"success": outcome}
    queue.put({**reported, "seconds": elapsed, "peak_rss_mib": _peak_kib() / 1024})


def _peak_kib() -> int:
    """This process's peak resident memory, its own only.

    ``ru_maxrss`` survives ``exec``: a spawned child starts from its parent's peak, which after
    generating a 1M-student district in the parent is gigabytes the child never used. Linux's
    ``VmHWM`` is the peak of this process image; elsewhere ``ru_maxrss`` is what there is.
    """
    status = Path("/proc/self/status")
    if status.exists():
        for line in status.read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def run_in_child(folder: Path, db: Path, target: Task = _materialize) -> dict:
    """Run ``target`` in a spawned process so its peak memory is its own."""
    ctx = mp.get_context("spawn")
    queue: mp.Queue = ctx.Queue()
    child = ctx.Process(target=_measured, args=(target, str(folder), str(db), queue))
    child.start()
    while True:
        try:
            out = queue.get(timeout=1)
            break
        except Empty:
            if not child.is_alive():
                raise RuntimeError(f"the load failed (child exit code {child.exitcode})") from None
    child.join()
    return out


def _median_ratio(rounds: list[dict[str, dict]], which: str) -> float:
    """The median over rounds of (run ``which`` of the round) / (the round's baseline)."""
    return round(
        statistics.median(r[which]["seconds"] / r["baseline"]["seconds"] for r in rounds), 2
    )


def count_rows(folder: Path) -> int:
    """Data rows in the batch's CSV files (physical lines minus headers, a fair proxy)."""
    total = 0
    for path in folder.glob("*.csv"):
        if path.name != "manifest.csv":
            with path.open("rb") as handle:
                total += (
                    sum(chunk.count(b"\n") for chunk in iter(lambda: handle.read(1 << 20), b"")) - 1
                )
    return total


PROFILES = ("households", "agents")


def prepare(profile: str, students: int, seed: int, workdir: Path, levels: list[str]) -> dict:
    """The profile's day 1, each churn's day 2 and the re-send, generated unless already there."""
    from roster_pipeline.devtools import generate
    from roster_pipeline.devtools.churn import LEVELS, churn
    from roster_pipeline.devtools.generate_agents import generate_agents

    stem = workdir / f"{profile}-{students}-{seed}"
    folders = {
        "first_load": stem.with_name(stem.name + "-day1"),
        **{f"day2_{level}": stem.with_name(f"{stem.name}-{level}") for level in levels},
        "resend": stem.with_name(stem.name + "-resend"),
    }
    if not all((f / "manifest.csv").exists() for f in folders.values()):
        make = generate_agents if profile == "agents" else generate.generate
        files = make(students, seed)
        generate.write(files, folders["first_load"])
        for level in levels:
            generate.write(churn(files, LEVELS[level]), folders[f"day2_{level}"])
        shutil.copytree(folders["first_load"], folders["resend"], dirs_exist_ok=True)
    return folders


def _state(db: Path, to: Path | None = None) -> None:
    """Copy the warehouse ``db`` and its row memo to ``to`` (None: remove them)."""
    from roster_pipeline.resolve.row_memo import memo_path

    if to is None:
        db.unlink(missing_ok=True)
        shutil.rmtree(memo_path(db), ignore_errors=True)
        return
    _state(to)
    shutil.copyfile(db, to)
    if memo_path(db).is_dir():
        shutil.copytree(memo_path(db), memo_path(to))


def measure_profile(folders: dict[str, Path], workdir: Path, repeat: int) -> dict:
    """Rounds of baseline, first load, each day 2 and the re-send; medians and ratios."""
    day1 = folders["first_load"]
    db = workdir / f"{day1.name}.duckdb"
    loaded = workdir / f"{day1.name}.loaded.duckdb"
    rounds = []
    for _ in range(max(1, repeat)):  # each round one after another on the same files
        run = {"baseline": run_in_child(day1, workdir / "baseline.duckdb", target=_bare_duckdb)}
        _state(db)  # a first load starts from nothing: no warehouse, no row memo
        run["first_load"] = run_in_child(day1, db)
        _state(db, loaded)
        for name, folder in folders.items():
            if name != "first_load":
                _state(loaded, db)  # each day 2 starts from the first load's state (and memo)
                run[name] = run_in_child(folder, db)
        rounds.append(run)
    rows = count_rows(day1)
    report: dict[str, object] = {
        "input_rows": rows,
        "input_mib": round(sum(p.stat().st_size for p in day1.glob("*.csv")) / 2**20, 1),
        "rounds": len(rounds),
        "baseline_s": round(statistics.median(r["baseline"]["seconds"] for r in rounds), 2),
    }
    for name in folders:
        report[f"{name}_s"] = round(statistics.median(r[name]["seconds"] for r in rounds), 2)
        # the median of each round's ratio: a round's runs share the machine's speed of the moment
        report[f"ratio_{name}"] = _median_ratio(rounds, name)
        report[f"{name}_peak_rss_mib"] = round(max(r[name]["peak_rss_mib"] for r in rounds))
    report["rows_per_s_first_load"] = round(rows / float(report["first_load_s"]))
    report["peak_rss_mib"] = max(report[f"{n}_peak_rss_mib"] for n in folders)
    report["success"] = all(r[n]["success"] for r in rounds for n in folders)
    # the re-send's result carried over (nothing read again), in every round
    report["resend_carried_over"] = all(r["resend"].get("carried_over") for r in rounds)
    # rows each run recognised from the first load's batch (not read again), in the last round
    report["rows_recognised"] = {n: rounds[-1][n].get("rows_recognised", 0) for n in folders}
    # of those, rows the memo knew to be their live records: not compared for the change set
    report["records_not_compared"] = {
        n: rounds[-1][n].get("records_not_compared", 0) for n in folders
    }
    report["runs_s"] = [{n: round(r[n]["seconds"], 2) for n in r} for r in rounds]
    return report


def main(argv: list[str] | None = None) -> dict:
    """Command line entry point."""
    from roster_pipeline.devtools import generate
    from roster_pipeline.devtools.churn import LEVELS

    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--students", type=int, default=500_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--workdir", type=Path, default=Path("bench"))
    parser.add_argument("--out", type=Path, default=Path("bench.json"))
    parser.add_argument("--profile", choices=(*PROFILES, "both"), default="both")
    parser.add_argument(
        "--churn",
        default=",".join(LEVELS),
        help=f"day-2 churn levels, comma-separated, of {', '.join(LEVELS)}",
    )
    parser.add_argument(
        "--repeat",
        type=int,
        default=1,
        help="rounds of every run; report medians (this VM's speed drifts)",
    )
    parser.add_argument(
        "--guardians-rows",
        type=int,
        default=0,
        help="also time a Dry Run of a guardians.csv with this many rows (households profile)",
    )
    args = parser.parse_args(argv)
    levels = [level.strip() for level in args.churn.split(",") if level.strip()]
    unknown = sorted(set(levels) - set(LEVELS))
    if unknown:
        parser.error(f"unknown churn level(s) {unknown}; choose from {', '.join(LEVELS)}")
    profiles = PROFILES if args.profile == "both" else (args.profile,)
    args.workdir.mkdir(parents=True, exist_ok=True)
    report: dict[str, object] = {
        "students": args.students,
        "churn": levels,
        "python": sys.version.split()[0],
        "profiles": {},
    }
    for profile in profiles:
        started = time.perf_counter()
        folders = prepare(profile, args.students, args.seed, args.workdir, levels)
        generate_s = round(time.perf_counter() - started, 2)
        measured = measure_profile(folders, args.workdir, args.repeat)
        report["profiles"][profile] = {"generate_s": generate_s, **measured}
    if args.guardians_rows:
        upload = args.workdir / f"guardians-{args.students}-{args.guardians_rows}.csv"
        if not upload.exists():
            files = generate.generate(args.students, args.seed)
            generate.guardians_upload(files, args.guardians_rows).write_csv(upload, null_value="")
        db = args.workdir / f"households-{args.students}-{args.seed}-day1.loaded.duckdb"
        if not db.exists():
            folders = prepare("households", args.students, args.seed, args.workdir, levels)
            run_in_child(folders["first_load"], db)
        preview = run_in_child(upload, db, target=_preview_guardians)
        report |= {
            "guardians_rows": args.guardians_rows,
            "guardians_preview_s": round(preview["seconds"], 2),
            "guardians_peak_rss_mib": round(preview["peak_rss_mib"]),
        }
    args.out.write_text(json.dumps(report, indent=2) + "\n")
    print(json.dumps(report, indent=2))  # noqa: T201
    return report


if __name__ == "__main__":
    main()
