-- A non-blocking reference failed: the row is applied without it.
UPDATE stage_{source} SET {column} = NULL, _untouched = false WHERE _row IN (SELECT _row FROM bad_refs);
