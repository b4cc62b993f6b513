-- A non-blocking list reference failed: the row is applied without the unresolved elements.
UPDATE stage_{source} AS s
SET {column} = list_filter(s.{column}, lambda x: NOT list_contains(b.bad, x)),
    _untouched = false
FROM (SELECT _row, list(ref) AS bad FROM bad_refs GROUP BY _row) AS b
WHERE s._row = b._row;
