"""Write ``roster_pipeline/finding_codes.py``: every finding code as a constant grep finds.

    python -m roster_pipeline.devtools.codes_module

Row-level codes are composed at run time (``<PREFIX>_<SUFFIX>``); the module lists each one a
file kind can report (from its normalized columns, structure checks, references and the SQL
rules), so ``grep -rn USR_EMAIL_INVALID roster_pipeline`` finds it. A test keeps it exact.
"""

from __future__ import annotations

from pathlib import Path

from roster_pipeline.devtools.findings_doc import REFERENCES
from roster_pipeline.findings import FILE_CODES, REFERENCE_OUTCOMES, ROW_SUFFIXES
from roster_pipeline.schemas.validate_file import column_issues
from roster_pipeline.specs import FILE_SPECS

MODULE = Path(__file__).resolve().parents[1] / "finding_codes.py"
STRUCTURE = ("REQUIRED_MISSING", "ID_INVALID", "ID_SCIENTIFIC_NOTATION")
"""Structure checks every file kind has."""
SCOPED = ("classes", "enrollments", "users")
"""Kinds a school-level upload checks against its school (``*_OUT_OF_SCOPE``)."""
SQL_RULES = (
    "CLS_SCHOOL_NOT_SCHOOL",
    "ENR_ROLE_MISMATCH",
    "ENR_SCHOOL_MISMATCH",
    "ENR_CLASS_ARCHIVED",
    "ENR_USER_INACTIVE",
    "USR_GUARDIAN_UNREACHABLE",
    "USR_AGENT_NOT_GUARDIAN",
    "USR_TOO_MANY_GUARDIANS",
    "USR_ROLE_MISSING",
    "USR_ORG_MISSING",
)
"""Codes the resolve stage's SQL files write as literals."""


def codes() -> dict[str, str]:
    """Code -> where it comes from, every code the pipeline can report."""
    found = {code: "file level" for code in FILE_CODES}
    for kind, spec in FILE_SPECS.items():
        where = f"{kind}.csv"
        for suffix in STRUCTURE:
            found[f"{spec.prefix}_{suffix}"] = f"{where}: structure"
        if spec.unique_ids:
            found[f"{spec.prefix}_ID_DUPLICATE"] = f"{where}: sourcedId repeated"
        if kind in SCOPED:
            found[f"{spec.prefix}_OUT_OF_SCOPE"] = f"{where}: another school than the upload's"
        for column, issues in column_issues(kind).items():
            for issue in issues:
                found.setdefault(f"{spec.prefix}_{issue}", f"{where}: {column}")
    for ref in REFERENCES:
        for outcome in REFERENCE_OUTCOMES:
            found[f"{ref.code}_{outcome}"] = f"{ref.source}.{ref.label}"
    for code in SQL_RULES:
        found[code] = "resolve rule"
    unknown = sorted(
        c
        for c in found
        if c not in FILE_CODES
        and c.split("_", 1)[1] not in ROW_SUFFIXES
        and not c.endswith(REFERENCE_OUTCOMES)
    )
    assert not unknown, f"codes without a severity: {unknown}"
    return dict(sorted(found.items()))


def render() -> str:
    """The module's text."""
    lines = [
        '"""Every finding code, as a constant (generated: do not edit).',
        "",
        "    python -m roster_pipeline.devtools.codes_module",
        "",
        "Severities are in ``findings`` and the error policy; the guide is docs/findings.md.",
        '"""',
        "",
    ]
    table = codes()
    lines += [f'{code} = "{code}"  # {where}' for code, where in table.items()]
    lines += [
        "",
        "ALL_CODES = frozenset(v for k, v in dict(globals()).items() if k.isupper() and k == v)",
        '"""Every code above."""',
        "",
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    MODULE.write_text(render())
    print(f"wrote {MODULE}")  # noqa: T201
