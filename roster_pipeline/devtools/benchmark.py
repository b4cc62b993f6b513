"""Time a first load and a day-2 sync of a generated district through the real Dagster assets.

    python -m roster_pipeline.devtools.benchmark --students 500000 --out bench.json [--repeat 3]

Generates the district and its next day's export (or reuses them), times a bare DuckDB baseline
(files read as text, enrollments joined to users and classes, guardians to students, written to a
.duckdb file), then materializes every asset with ``dg.materialize`` on day 1 (first load) and on
day 2 (a sync against the loaded district); each in a fresh child process. Reports seconds, the
ratios to the baseline, input rows per second and peak resident memory, to stdout and JSON.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import resource
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from queue import Empty


def _materialize(folder: str, db: str) -> bool:
    """The full load through the real Dagster assets and checks."""
    import roster_pipeline.definitions  # noqa: F401  the code location, as a run worker loads it
    from roster_pipeline.defs.sync.materialize import materialize_batch

    return materialize_batch(Path(folder), duckdb_path=db).success


BASELINE_SQL = (
    "CREATE TABLE {name} AS SELECT * FROM read_csv($path, all_varchar = true, header = true)",
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


def _measured(task: Callable[[str, str], bool], first: str, second: str, queue: mp.Queue) -> None:
    """Run ``task`` in this (child) process; report its seconds and this process's peak RSS."""
    started = time.perf_counter()
    success = task(first, second)
    elapsed = time.perf_counter() - started
    peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    queue.put({"success": success, "seconds": elapsed, "peak_rss_mib": peak_kib / 1024})


def run_in_child(folder: Path, db: Path, target: Callable[[str, str], bool] = _materialize) -> dict:
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


def _median_ratio(rounds: list[tuple[dict, dict, dict]], which: int) -> float:
    """The median over rounds of (run ``which`` of the round) / (the round's baseline)."""
    return round(statistics.median(r[which]["seconds"] / r[0]["seconds"] for r in rounds), 2)


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


def main(argv: list[str] | None = None) -> dict:
    """Command line entry point."""
    from roster_pipeline.devtools import generate
    from roster_pipeline.devtools.next_day import next_day

    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--students", type=int, default=500_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--workdir", type=Path, default=Path("bench"))
    parser.add_argument("--out", type=Path, default=Path("bench.json"))
    parser.add_argument(
        "--repeat",
        type=int,
        default=1,
        help="rounds of baseline, first load and day 2; report medians (this VM's speed drifts)",
    )
    parser.add_argument(
        "--guardians-rows",
        type=int,
        default=0,
        help="also time a Dry Run of a guardians.csv with this many rows",
    )
    args = parser.parse_args(argv)

    folder = args.workdir / f"district-{args.students}-{args.seed}"
    day2 = args.workdir / f"district-{args.students}-{args.seed}-day2"
    started = time.perf_counter()
    files = None
    if not (folder / "manifest.csv").exists() or not (day2 / "manifest.csv").exists():
        files = generate.generate(args.students, args.seed)
        generate.write(files, folder)
        generate.write(next_day(files), day2)
    generate_s = time.perf_counter() - started
    rows = count_rows(folder)
    db = args.workdir / f"district-{args.students}-{args.seed}.duckdb"
    rounds = []
    for _ in range(max(1, args.repeat)):  # each round one after another on the same files
        baseline = run_in_child(folder, args.workdir / "baseline.duckdb", target=_bare_duckdb)
        db.unlink(missing_ok=True)
        rounds.append((baseline, run_in_child(folder, db), run_in_child(day2, db)))
    baseline_s = statistics.median(b["seconds"] for b, _, _ in rounds)
    load_s = statistics.median(load["seconds"] for _, load, _ in rounds)
    sync_s = statistics.median(sync["seconds"] for _, _, sync in rounds)
    load_rss = max(load["peak_rss_mib"] for _, load, _ in rounds)
    sync_rss = max(sync["peak_rss_mib"] for _, _, sync in rounds)
    report = {
        "students": args.students,
        "input_rows": rows,
        "input_mib": round(sum(p.stat().st_size for p in folder.glob("*.csv")) / 2**20, 1),
        "generate_s": round(generate_s, 2),
        "rounds": len(rounds),
        "baseline_s": round(baseline_s, 2),
        "first_load_s": round(load_s, 2),
        # the median of each round's ratio: a round's runs share the machine's speed of the moment
        "ratio_first": _median_ratio(rounds, 1),
        "day2_s": round(sync_s, 2),
        "ratio_day2": _median_ratio(rounds, 2),
        "rows_per_s": round(rows / load_s),
        "peak_rss_mib": round(max(load_rss, sync_rss)),
        "first_load_peak_rss_mib": round(load_rss),
        "day2_peak_rss_mib": round(sync_rss),
        "success": all(load["success"] and sync["success"] for _, load, sync in rounds),
        "python": sys.version.split()[0],
        "runs_s": [[round(run["seconds"], 2) for run in r] for r in rounds],
    }
    if args.guardians_rows:
        upload = args.workdir / f"guardians-{args.students}-{args.guardians_rows}.csv"
        if not upload.exists():
            files = files or generate.generate(args.students, args.seed)
            generate.guardians_upload(files, args.guardians_rows).write_csv(upload, null_value="")
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
