"""Many districts in one code location: one sync asset per district, run in parallel."""
