-- Replace the roster's guardian links; a link that did not change keeps the batch that made it.
-- Parameters: $tenant, $app, $batch, $max.
CREATE OR REPLACE TEMP TABLE previous_roster_links AS
SELECT * FROM student_guardians WHERE source = 'roster';
DELETE FROM student_guardians WHERE source = 'roster';
INSERT INTO student_guardians BY NAME
SELECT $tenant AS tenant_id, $app AS application_id, coalesce(p.batch_id, $batch) AS batch_id,
       l.student AS student_sourced_id, l.guardian AS guardian_sourced_id, l.relationship,
       'roster' AS source
FROM guardian_links l
LEFT JOIN previous_roster_links p
  ON p.student_sourced_id = l.student AND p.guardian_sourced_id = l.guardian
 AND p.relationship IS NOT DISTINCT FROM l.relationship
WHERE l.rank <= $max
ORDER BY l.student, l.guardian;
