"""Running a sync for any entry point: the one runner, and what counts as a failed run."""
