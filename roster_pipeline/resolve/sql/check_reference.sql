-- One sourcedId reference of {source}.{column} -> {target}: every applied row whose reference
-- does not point at an applied target row, with why (unknown, leading zeros, target rejected).
-- {refs} is either the single column or unnest() of a list column. Suggestions (the id without
-- its leading zeros) are looked up only for the references that match nothing; whether a
-- target row exists at all (rejected) only for the references that match no applied row.
-- Applied targets are next_{target}'s: the stage's, and the live records of quiet rows.
CREATE OR REPLACE TEMP TABLE bad_refs AS
WITH refs AS (
    SELECT _row, _file, _line, sourced_id, {refs} AS ref
    FROM stage_{source}
    WHERE _ok
),
applied AS (
    SELECT sourced_id FROM next_{target}
),
unmatched AS (
    SELECT r.* FROM refs r ANTI JOIN applied t ON t.sourced_id = r.ref WHERE r.ref IS NOT NULL
),
bad AS (
    SELECT u._row, u._file, u._line, u.sourced_id, u.ref,
           EXISTS (SELECT 1 FROM stage_{target} t WHERE t.sourced_id = u.ref) AS known
    FROM unmatched u
),
wanted AS (
    SELECT DISTINCT ltrim(ref, '0') AS key FROM bad WHERE NOT known AND ltrim(ref, '0') <> ''
),
unpadded AS (
    SELECT ltrim(s.sourced_id, '0') AS key, min(s.sourced_id) AS suggestion
    FROM next_{target} s SEMI JOIN wanted w ON w.key = ltrim(s.sourced_id, '0')
    GROUP BY 1
)
SELECT b._row, b._file, b._line, b.sourced_id, b.ref,
       CASE WHEN b.known THEN 'REJECTED'
            WHEN u.suggestion IS NOT NULL THEN 'LEADING_ZEROS'
            ELSE 'UNKNOWN' END AS outcome,
       u.suggestion
FROM bad b
LEFT JOIN unpadded u ON NOT b.known AND u.key = ltrim(b.ref, '0');
