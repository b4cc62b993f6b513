"""The guardian links' part of the change set: their ids and the SQL that compares them.

A link is a (student, guardian, source) with a relationship and a status; the change set has a
row per link created, deactivated, reactivated or updated (its relationship).
"""

from __future__ import annotations

from roster_pipeline.resolve import quiet_rows


def link_id(student: str, guardian: str, source: str) -> str:
    """SQL: a guardian link's id in the change set: ``<student>/<guardian>`` (source aside).

    A link another source made (an upload) has its source in brackets after it.
    """
    return (
        f"{student} || '/' || {guardian} "
        f"|| CASE WHEN {source} = 'roster' THEN '' ELSE ' (' || {source} || ')' END"
    )


LINK_CHANGES = """
INSERT INTO change_rows
SELECT 'guardian_links',
       {link_id},
       CASE WHEN o.student IS NULL THEN 'created'
            WHEN n.student IS NULL OR (o.status = 'active' AND n.status <> 'active')
                THEN 'deactivated'
            WHEN o.status <> 'active' AND n.status = 'active' THEN 'reactivated'
            ELSE 'updated' END,
       CASE WHEN o.student IS NULL THEN NULL
            WHEN n.student IS NULL OR o.status IS DISTINCT FROM n.status THEN 'status'
            ELSE 'relationship' END,
       CASE WHEN n.student IS NULL OR o.status IS DISTINCT FROM n.status THEN o.status
            ELSE o.relationship END,
       CASE WHEN n.student IS NULL THEN 'tobedeleted'
            WHEN o.status IS DISTINCT FROM n.status THEN n.status ELSE n.relationship END,
       true, NULL
FROM {next_links} n
FULL JOIN {old_links} o
    ON o.student = n.student AND o.guardian = n.guardian AND o.source = n.source
WHERE (o.student IS NULL AND n.status = 'active')
   OR (n.student IS NULL AND o.status = 'active')
   OR (o.student IS NOT NULL AND n.student IS NOT NULL AND (o.status IS DISTINCT FROM n.status
       OR (n.status = 'active' AND o.relationship IS DISTINCT FROM n.relationship)))
"""
SYNC_NEXT_LINKS = "next_links"
"""Every link of the next state (student, guardian, relationship, source, status)."""
EMPTY_LINKS = (
    "(SELECT NULL::VARCHAR AS student, NULL::VARCHAR AS guardian, NULL::VARCHAR AS relationship, "
    "NULL::VARCHAR AS source, NULL::VARCHAR AS status LIMIT 0)"
)
LINK_COLUMNS = (
    "student_sourced_id AS student, guardian_sourced_id AS guardian, relationship, source, "
    "coalesce(status, 'active') AS status"
)
SYNC_OLD_LINKS = f"(SELECT {LINK_COLUMNS} FROM {quiet_rows.LINK_LIVE})"
"""The live links a sync works out again (``quiet_rows.scope_links``)."""
ALL_OLD_LINKS = f"(SELECT {LINK_COLUMNS} FROM main.student_guardians)"
