-- Bring the roster's guardian links up to date. Only links that changed are written: a link that
-- did not change keeps its row and the batch that made it; every link keeps the run's identity.
-- Parameters: $tenant, $app, $batch, $max.
CREATE OR REPLACE TEMP TABLE next_roster_links AS
SELECT student, guardian, relationship FROM guardian_links WHERE rank <= $max;
-- Rows to delete found by joins (a correlated NOT EXISTS under an OR is ~3x slower here).
DELETE FROM student_guardians WHERE rowid IN (
    SELECT g.rowid FROM student_guardians g
    ANTI JOIN next_roster_links l
        ON l.student = g.student_sourced_id AND l.guardian = g.guardian_sourced_id
        AND l.relationship IS NOT DISTINCT FROM g.relationship
    WHERE g.source = 'roster'
    UNION ALL
    SELECT rowid FROM student_guardians
    WHERE source = 'roster'
      AND (tenant_id IS DISTINCT FROM $tenant OR application_id IS DISTINCT FROM $app)
);
INSERT INTO student_guardians BY NAME
SELECT $tenant AS tenant_id, $app AS application_id, $batch AS batch_id,
       l.student AS student_sourced_id, l.guardian AS guardian_sourced_id, l.relationship,
       'roster' AS source
FROM next_roster_links l
ANTI JOIN (SELECT student_sourced_id, guardian_sourced_id, relationship
           FROM student_guardians WHERE source = 'roster') g
    ON g.student_sourced_id = l.student AND g.guardian_sourced_id = l.guardian
    AND g.relationship IS NOT DISTINCT FROM l.relationship
ORDER BY l.student, l.guardian;
