"""roster_pipeline: a school district's roster exports turned into clean, linked, queryable data."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("roster_pipeline")
except PackageNotFoundError:  # run from a checkout that was never installed
    __version__ = "0+unknown"
