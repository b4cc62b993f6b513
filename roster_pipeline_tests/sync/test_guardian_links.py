"""Guardian links over time: they end, come back, keep their place under the limit of six."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from roster_pipeline.sync.run import sync_folder
from roster_pipeline.sync.settings import SyncSettings
from roster_pipeline.uploads.guardians.upload import run_upload
from roster_pipeline.warehouse import Warehouse
from roster_pipeline_tests.conftest import write_batch

ORGS = "sourcedId,name,type\nd1,District,district\nsch1,North High,school\n"
HEADER = "sourcedId,orgSourcedIds,role,givenName,familyName,email,sms,agentSourcedIds\n"
GUARDIANS = {f"g{i}": "parent" for i in range(1, 10)}


def users(
    students: dict[str, str],
    roles: dict[str, str] | None = None,
    gone: tuple[str, ...] = (),
    order: tuple[str, ...] = tuple(GUARDIANS),
    s1_agents: tuple[str, ...] = (),
) -> str:
    """users.csv: ``students`` (id -> agentSourcedIds), then the guardians in ``order`` (but
    ``gone``); those in ``s1_agents`` name s1 on their own row, as some SIS write the link."""
    roles = {**GUARDIANS, **(roles or {})}
    lines = [f'{s},sch1,student,S,{s},{s}@school.org,,"{a}"' for s, a in students.items()]
    lines += [
        f"{g},sch1,{roles[g]},G,{g},{g}@home.org,,{'s1' if g in s1_agents else ''}"
        for g in order
        if g not in gone
    ]
    return HEADER + "\n".join(lines) + "\n"


SEVEN = ("g1", "g2", "g3", "g4", "g5", "g6", "g7")
# s1's seven links are written on the guardians' rows: the first six by line are g1..g6
DAY1 = {"s1": "", "s2": "g8", "s3": "g8,g9", "s4": "g9"}
# day 2: the guardians in reverse order (the six kept stay), s2 leaves, s3 drops g8, s5 arrives
DAY2 = {"s1": "", "s3": "g9", "s4": "g9", "s5": "g8"}
REVERSED = tuple(reversed(GUARDIANS))
# day 3: s2 is back, the export drops a kept link (g2, so g7 takes its place), g4 a guardian
DAY3 = {"s1": "", "s2": "g8", "s3": "g9", "s4": "g9", "s5": "g8"}


def day(tmp: Path, name: str, students: dict[str, str], **kw) -> Path:
    kw.setdefault("s1_agents", SEVEN)
    return write_batch(tmp / name, {"orgs.csv": ORGS, "users.csv": users(students, **kw)})


def link_changes(db: Path, batch_id: str) -> dict[str, set[str]]:
    with duckdb.connect(str(db), read_only=True) as con:
        rows = con.execute(
            "SELECT change, sourced_id FROM change_log WHERE batch_id = ? "
            "AND entity = 'guardian_links'",
            [batch_id],
        ).fetchall()
    out: dict[str, set[str]] = {}
    for change, sid in rows:
        out.setdefault(change, set()).add(sid)
    return out


def active_links(db: Path) -> set[str]:
    with duckdb.connect(str(db), read_only=True) as con:
        rows = con.execute(
            "SELECT student_sourced_id || '/' || guardian_sourced_id FROM student_guardians "
            "WHERE status = 'active'"
        ).fetchall()
    return {r for (r,) in rows}


def orphans(db: Path) -> int:
    """Active links whose student or guardian is not active (must be none)."""
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute(
            "SELECT count(*) FROM student_guardians g WHERE g.status = 'active' AND EXISTS "
            "(SELECT 1 FROM users u WHERE u.sourced_id IN (g.student_sourced_id, "
            "g.guardian_sourced_id) AND u.status <> 'active')"
        ).fetchall()[0][0]


def links(*pairs: str) -> set[str]:
    return set(pairs)


@pytest.mark.parametrize("unarchive", [True, False])
@pytest.mark.parametrize("contacts", [True, False])
@pytest.mark.parametrize("guardians", [True, False])
def test_three_days_of_links_give_exact_sets(tmp_path, unarchive, contacts, guardians):
    settings = SyncSettings(
        unarchive_classes=unarchive, update_active_contacts=contacts, manage_guardians=guardians
    )
    db = tmp_path / "r.duckdb"
    store = Warehouse(db)
    runs = [
        sync_folder(day(tmp_path, "day1", DAY1), store, settings),
        sync_folder(day(tmp_path, "day2", DAY2, order=REVERSED), store, settings),
        sync_folder(
            day(
                tmp_path,
                "day3",
                DAY3,
                order=REVERSED,
                roles={"g4": "guardian"},
                s1_agents=tuple(g for g in SEVEN if g != "g2"),
            ),
            store,
            settings,
        ),
    ]
    assert [r.status for r in runs] == ["applied"] * 3
    changes = [link_changes(db, r.batch_id) for r in runs]
    if not guardians:  # the sync does not manage guardians: the roster makes no link
        assert changes == [{}, {}, {}]
        assert active_links(db) == set()
        return
    kept_six = {f"s1/g{i}" for i in range(1, 7)}
    assert changes[0] == {"created": kept_six | links("s2/g8", "s3/g8", "s3/g9", "s4/g9")}
    assert changes[1] == {
        "created": links("s5/g8"),
        "deactivated": links("s2/g8", "s3/g8"),  # s2 left; s3's export dropped g8
    }
    assert changes[2] == {
        "created": links("s1/g7"),  # the place g2 left
        "deactivated": links("s1/g2"),
        "reactivated": links("s2/g8"),  # s2 is back
        "updated": links("s1/g4"),  # parent -> guardian
    }
    assert active_links(db) == (kept_six - {"s1/g2"}) | links(
        "s1/g7", "s2/g8", "s3/g9", "s4/g9", "s5/g8"
    )
    assert orphans(db) == 0
    with duckdb.connect(str(db), read_only=True) as con:
        ended = con.execute(
            "SELECT student_sourced_id, guardian_sourced_id, status, ended_at IS NOT NULL "
            "FROM student_guardians WHERE status <> 'active' ORDER BY ALL"
        ).fetchall()
        # history keeps every version: s2/g8 was active, ended, and is active again
        versions = con.execute(
            "SELECT status FROM history.student_guardians WHERE student_sourced_id = 's2' "
            "ORDER BY valid_from"
        ).fetchall()
        counts = dict(
            con.execute(
                "SELECT change, n FROM sync_run_counts WHERE batch_id = ? "
                "AND entity = 'guardian_links'",
                [runs[2].batch_id],
            ).fetchall()
        )
    assert ended == [("s1", "g2", "tobedeleted", True), ("s3", "g8", "tobedeleted", True)]
    assert [v for (v,) in versions] == ["active", "tobedeleted", "active"]
    assert counts == {"created": 1, "deactivated": 1, "reactivated": 1, "updated": 1}


def test_the_seventh_guardian_is_refused_with_the_kept_six_named(tmp_path):
    db = tmp_path / "r.duckdb"
    outcome = sync_folder(day(tmp_path, "day1", DAY1), Warehouse(db), SyncSettings())
    refused = outcome.findings.filter(outcome.findings["code"] == "USR_TOO_MANY_GUARDIANS")
    assert refused["sourced_id"].to_list() == ["s1"]
    assert "kept: g1, g2, g3, g4, g5, g6" in refused["message"][0]
    assert "'g7' was not made" in refused["message"][0]
    # the next day lists g7 first: the six already active keep their place
    day2 = sync_folder(day(tmp_path, "day2", DAY2, order=REVERSED), Warehouse(db), SyncSettings())
    refused = day2.findings.filter(day2.findings["code"] == "USR_TOO_MANY_GUARDIANS")
    assert "'g7' was not made" in refused["message"][0]


def test_a_departed_student_ends_the_uploads_links_too_and_they_return_with_them(tmp_path):
    settings = SyncSettings(manage_guardians=False)  # guardians come from uploads
    db = tmp_path / "r.duckdb"
    store = Warehouse(db)
    sync_folder(day(tmp_path, "day1", DAY1), store, settings)
    upload = tmp_path / "guardians.csv"
    upload.write_text("Student ID,Guardian ID,First Name,Last Name,Email\ns2,g1,G,g1,g1@home.org\n")
    assert run_upload(upload, store, mode="apply", results_dir=tmp_path / "res").results[
        "result"
    ].to_list() == ["SUCCESS"]
    assert active_links(db) == {"s2/g1"}
    gone = sync_folder(day(tmp_path, "day2", DAY2), store, settings)  # s2 leaves
    assert active_links(db) == set()
    assert link_changes(db, gone.batch_id) == {"deactivated": {"s2/g1 (guardians_upload)"}}
    back = sync_folder(day(tmp_path, "day3", DAY3), store, settings)  # s2 is back
    assert active_links(db) == {"s2/g1"}
    assert link_changes(db, back.batch_id) == {"reactivated": {"s2/g1 (guardians_upload)"}}
    with duckdb.connect(str(db), read_only=True) as con:
        assert con.execute("SELECT count(*) FROM student_guardians").fetchall() == [(1,)]


def test_uploads_count_only_active_links_against_the_limit(tmp_path):
    settings = SyncSettings(manage_guardians=False)
    db = tmp_path / "r.duckdb"
    store = Warehouse(db)
    sync_folder(day(tmp_path, "day1", DAY1), store, settings)

    def link(guardians: list[str]) -> list[str]:
        path = tmp_path / "guardians.csv"
        rows = "".join(f"s4,{g},G,{g},{g}@home.org\n" for g in guardians)
        path.write_text("Student ID,Guardian ID,First Name,Last Name,Email\n" + rows)
        outcome = run_upload(path, store, mode="apply", results_dir=tmp_path / "res")
        return outcome.results["result"].to_list()

    assert link([f"g{i}" for i in range(1, 7)]) == ["SUCCESS"] * 6
    assert link(["g7"]) == ["FAILED"]  # a seventh
    # g1 leaves the roster: the link to them ends, and its place is free again
    roles = {g: r for g, r in GUARDIANS.items() if g != "g1"}
    day2 = users(DAY1, roles).replace("g1,sch1,parent,G,g1,g1@home.org,,\n", "")
    sync_folder(
        write_batch(tmp_path / "day2", {"orgs.csv": ORGS, "users.csv": day2}), store, settings
    )
    assert "s4/g1" not in active_links(db)
    assert link(["g7"]) == ["SUCCESS"]
    assert orphans(db) == 0
