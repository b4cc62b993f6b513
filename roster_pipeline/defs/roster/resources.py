"""District settings and the DuckDB warehouse, as Dagster resources."""

from __future__ import annotations

import os
from pathlib import Path

import dagster as dg

from roster_pipeline.intake.source import ArchiveLimits
from roster_pipeline.warehouse import Warehouse

PROJECT_ROOT = Path(__file__).resolve().parents[3]
DEFAULT_DATA_DIR = PROJECT_ROOT / "data" / "sample_district"
DEFAULT_DUCKDB_PATH = PROJECT_ROOT / "data" / "roster.duckdb"


class RosterSettings(dg.ConfigurableResource):
    """Where the batch comes from and how it is read (env: ROSTER_DATA_DIR and friends)."""

    data_dir: str = os.environ.get("ROSTER_DATA_DIR", str(DEFAULT_DATA_DIR))
    """The batch folder: one district export (users.csv, classes.csv, ...)."""
    tenant_id: str = os.environ.get("ROSTER_TENANT_ID", "sample-district")
    """The district's tenant id, recorded on every row."""
    application_id: str = os.environ.get("ROSTER_APPLICATION_ID", "roster_pipeline")
    """The district's application id, recorded on every row beside the tenant id."""
    scope_school: str | None = os.environ.get("ROSTER_SCOPE_SCHOOL") or None
    """Set for a school-level upload: the school's sourcedId (files may omit the school column)."""
    phone_region: str = os.environ.get("ROSTER_PHONE_REGION", "US")
    """Region for phone numbers written without a country code."""
    sync_manages_guardians: bool = os.environ.get("ROSTER_SYNC_MANAGES_GUARDIANS", "1") != "0"
    """'Allow sync to manage guardians': on, the roster's agentSourcedIds make the guardian links
    and guardians.csv uploads are refused; off, the roster's links are ignored and uploads rule."""
    zip_max_bytes: int = int(os.environ.get("ROSTER_ZIP_MAX_BYTES", str(ArchiveLimits.max_bytes)))
    """A zip batch expanding to more bytes than this (all members) is refused (a zip bomb)."""
    zip_max_ratio: float = float(
        os.environ.get("ROSTER_ZIP_MAX_RATIO", str(ArchiveLimits.max_ratio))
    )
    """A zip member (over 1 MiB) expanding more times than this is refused (a zip bomb)."""

    def archive_limits(self) -> ArchiveLimits:
        """What a zip batch may expand to."""
        return ArchiveLimits(max_bytes=self.zip_max_bytes, max_ratio=self.zip_max_ratio)


class RosterWarehouse(dg.ConfigurableResource):
    """The published DuckDB file analysts query (env: ROSTER_DUCKDB_PATH)."""

    duckdb_path: str = os.environ.get("ROSTER_DUCKDB_PATH", str(DEFAULT_DUCKDB_PATH))
    memory_limit: str = os.environ.get("ROSTER_DUCKDB_MEMORY_LIMIT", "2GB")
    """DuckDB's memory cap during a run (it spills to disk beyond it)."""

    def warehouse(self) -> Warehouse:
        """The copy-and-swap writer/reader for this file."""
        return Warehouse(self.duckdb_path, memory_limit=self.memory_limit)
