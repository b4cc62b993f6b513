"""The temp tables and views the row memo leaves in a run's connection, by name.

``row_memo.RowMemo.verify`` makes them; the stage (``apply_batch``, ``quiet_rows``) reads the
recognised rows and the live records a batch may leave out through them.
"""

KNOWN = "known_rows"
"""The recognised rows of one file (``_line``, ``h1``, ``h2``), registered while verified."""
UNSENT = "unsent_rows"
"""The memo's rows no line of the file sends again (``h1``, ``h2``), registered while verified."""


def memo_view(table: str) -> str:
    """The temp view of a kind's memo (``h1``, ``h2`` and the validated columns)."""
    return f"memo_{table}"


def recognised(table: str) -> str:
    """The temp view of a file's recognised rows (made by ``verify``).

    ``h1``, ``h2``, ``sourced_id``, ``_file``, ``_memo_live`` (the row is its live record) and
    ``_status_given``; the line of each is in ``sent`` (joined only where the few are asked).
    """
    return f"recognised_{table}"


def sent(table: str) -> str:
    """The temp table of the lines sending a memo row again: ``_line``, ``h1``, ``h2``."""
    return f"memo_sent_{table}"


def memo_gone(table: str) -> str:
    """The temp view of the live records (``sourced_id``) a batch may no longer list.

    Made by ``verify`` where the recognised rows are known live: the memo's rows the batch did
    not send again, and the others of the live state (``OTHERS``).
    """
    return f"memo_gone_{table}"


def matched(table: str) -> str:
    """The temp table of a kind's memo rows, each with whether a line sends it again (``_sent``)."""
    return f"memo_matched_{table}"


def file_of(table: str) -> str:
    """The one-row temp table of the name of the file whose rows ``recognised`` shows."""
    return f"memo_file_{table}"


def known_rows_sql(table: str, where: str = "true") -> str:
    """A file's recognised rows (those of ``recognised`` matching ``where``).

    In the validated shape (``_file``, ``_ok`` aside), with ``_memo_live``.
    """
    return (
        f"SELECT s._line, r._memo_live, m.* EXCLUDE (h1, h2) FROM {recognised(table)} r "
        f"JOIN {memo_view(table)} m USING (h1, h2) JOIN {sent(table)} s USING (h1, h2) "
        f"WHERE {where}"
    )
