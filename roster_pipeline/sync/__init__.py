"""The daily sync: change sets against the live tables, safeguards, history and restore."""
