"""Uploads a district makes by hand: the engine (preview, apply, results) and its two kinds."""
