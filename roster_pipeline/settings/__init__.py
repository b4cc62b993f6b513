"""District settings: one typed model, one loader (``district.toml``, ``ROSTER_*`` overrides)."""
