"""Asset checks that ask DuckDB: referential integrity and unique ids in the published tables."""

from collections.abc import Iterator

import dagster as dg

from roster_pipeline.defs.resources import DistrictResource
from roster_pipeline.sync import integrity
from roster_pipeline.warehouse import Warehouse

# (asset, check name, description, SQL counting violations over the whole tables).
INTEGRITY_CHECKS: tuple[tuple[str, str, str, str], ...] = tuple(
    (rule.asset, rule.name, rule.description, rule.whole()) for rule in integrity.RULES
)


def violations(warehouse: Warehouse, version: int | None = None) -> list[tuple[str, str, int]]:
    """(asset, check, violations) of each integrity rule in the published file.

    ``version``: the counts its apply recorded (``sync.integrity``), where it did; else (and
    without a version) every rule is asked of the whole tables.
    """
    with warehouse.reader() as con:
        counts = integrity.recorded(con, version) if version is not None else None
        if counts is None:
            counts = integrity.whole_counts(con)
    return [(asset, name, counts[name]) for asset, name, _, _ in INTEGRITY_CHECKS]


def integrity_evaluations(
    warehouse: Warehouse, version: int | None = None
) -> list[dg.AssetCheckEvaluation]:
    """The integrity rules' results as events a sync step logs right after its apply."""
    return [
        dg.AssetCheckEvaluation(
            asset_key=dg.AssetKey(asset), check_name=name, passed=n == 0, metadata={"violations": n}
        )
        for asset, name, n in violations(warehouse, version)
    ]


@dg.multi_asset_check(
    specs=[
        dg.AssetCheckSpec(name, asset=asset, description=description)
        for asset, name, description, _ in INTEGRITY_CHECKS
    ],
    description="Referential integrity and unique ids of the published roster tables.",
)
def roster_integrity(district: DistrictResource) -> Iterator[dg.AssetCheckResult]:
    """Ask DuckDB (read-only) for violations of each integrity rule.

    They run after every apply (logged by the sync), and on their own from a table's page.
    """
    for asset, name, n in violations(district.settings().warehouse()):
        yield dg.AssetCheckResult(
            asset_key=asset, check_name=name, passed=n == 0, metadata={"violations": n}
        )


roster_checks = [roster_integrity]
