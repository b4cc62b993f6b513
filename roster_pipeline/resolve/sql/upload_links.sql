-- An upload's planned links ({links}: student_sourced_id, guardian_sourced_id, relationship)
-- written for its source: a link it made before and that ended comes back (reactivated, not a
-- second row); the others are new. Parameters: $batch, $tenant, $app, $source.
UPDATE student_guardians AS g
SET status = 'active', ended_at = NULL, relationship = l.relationship, batch_id = $batch
FROM {links} AS l
WHERE g.student_sourced_id = l.student_sourced_id AND g.guardian_sourced_id = l.guardian_sourced_id
  AND g.source = $source;
INSERT INTO student_guardians BY NAME
SELECT $tenant AS tenant_id, $app AS application_id, $batch AS batch_id, l.student_sourced_id,
       l.guardian_sourced_id, l.relationship, $source AS source, 'active' AS status,
       current_timestamp AS linked_at
FROM {links} l
ANTI JOIN (SELECT * FROM student_guardians WHERE source = $source) g
    ON g.student_sourced_id = l.student_sourced_id AND g.guardian_sourced_id = l.guardian_sourced_id;
