"""People told when a sync needs them: run-status sensors over every sync job."""
