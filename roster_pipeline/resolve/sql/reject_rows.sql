-- A blocking reference failed: the source rows are not applied.
UPDATE stage_{source} SET _ok = false WHERE _row IN (SELECT _row FROM bad_refs);
