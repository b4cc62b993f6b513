-- Bring the roster's guardian links up to date. Only links that changed are written: a link that
-- did not change keeps its row and the batch that made it; every link keeps the run's identity.
-- Parameters: $tenant, $app, $batch, $max.
CREATE OR REPLACE TEMP TABLE next_roster_links AS
SELECT student, guardian, relationship FROM guardian_links WHERE rank <= $max;
DELETE FROM student_guardians AS g
WHERE g.source = 'roster'
  AND (g.tenant_id IS DISTINCT FROM $tenant OR g.application_id IS DISTINCT FROM $app
       OR NOT EXISTS (SELECT 1 FROM next_roster_links l
                      WHERE l.student = g.student_sourced_id AND l.guardian = g.guardian_sourced_id
                        AND l.relationship IS NOT DISTINCT FROM g.relationship));
INSERT INTO student_guardians BY NAME
SELECT $tenant AS tenant_id, $app AS application_id, $batch AS batch_id,
       l.student AS student_sourced_id, l.guardian AS guardian_sourced_id, l.relationship,
       'roster' AS source
FROM next_roster_links l
WHERE NOT EXISTS (SELECT 1 FROM student_guardians g
                  WHERE g.source = 'roster' AND g.student_sourced_id = l.student
                    AND g.guardian_sourced_id = l.guardian
                    AND g.relationship IS NOT DISTINCT FROM l.relationship)
ORDER BY l.student, l.guardian;
