"""Telling people when a sync needs them: a notice per run, sent by e-mail and webhook."""
