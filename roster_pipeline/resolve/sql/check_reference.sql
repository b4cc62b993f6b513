-- One sourcedId reference of {source}.{column} -> {target}: every applied row whose reference
-- does not point at an applied target row, with why (unknown, leading zeros, target rejected).
-- {refs} is either the single column or unnest() of a list column.
CREATE OR REPLACE TEMP TABLE bad_refs AS
WITH refs AS (
    SELECT _row, _file, _line, sourced_id, {refs} AS ref
    FROM stage_{source}
    WHERE _ok
),
targets AS (
    SELECT sourced_id, bool_or(_ok) AS ok FROM stage_{target} GROUP BY sourced_id
),
unpadded AS (
    SELECT ltrim(sourced_id, '0') AS key, min(sourced_id) AS suggestion
    FROM stage_{target}
    WHERE _ok AND ltrim(sourced_id, '0') <> ''
    GROUP BY key
)
SELECT r._row, r._file, r._line, r.sourced_id, r.ref,
       CASE WHEN t.sourced_id IS NOT NULL THEN 'REJECTED'
            WHEN u.suggestion IS NOT NULL THEN 'LEADING_ZEROS'
            ELSE 'UNKNOWN' END AS outcome,
       u.suggestion
FROM refs r
LEFT JOIN targets t ON t.sourced_id = r.ref
LEFT JOIN unpadded u ON t.sourced_id IS NULL AND u.key = ltrim(r.ref, '0')
WHERE r.ref IS NOT NULL AND (t.sourced_id IS NULL OR NOT t.ok);
