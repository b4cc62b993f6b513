"""Command lines: the same runner and settings loader as the Dagster assets, without Dagster."""
