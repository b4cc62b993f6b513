-- Write an imported relationships plan: new typed links, and type changes of existing links.
-- Parameters: $batch, $tenant, $app.
-- A link the import made before and that ended comes back (reactivated, not a second row).
UPDATE student_guardians AS g
SET status = 'active', ended_at = NULL, relationship = l.relationship, batch_id = $batch
FROM plan_new_links AS l
WHERE g.student_sourced_id = l.student_sourced_id AND g.guardian_sourced_id = l.guardian_sourced_id
  AND g.source = 'relationships_import';
INSERT INTO student_guardians BY NAME
SELECT $tenant AS tenant_id, $app AS application_id, $batch AS batch_id, l.student_sourced_id,
       l.guardian_sourced_id, l.relationship, 'relationships_import' AS source, 'active' AS status,
       current_timestamp AS linked_at
FROM plan_new_links l
ANTI JOIN (SELECT * FROM student_guardians WHERE source = 'relationships_import') g
    ON g.student_sourced_id = l.student_sourced_id AND g.guardian_sourced_id = l.guardian_sourced_id;
UPDATE student_guardians AS g
SET relationship = c.relationship, batch_id = $batch
FROM plan_type_changes AS c
WHERE g.student_sourced_id = c.student_sourced_id
  AND g.guardian_sourced_id = c.guardian_sourced_id AND coalesce(g.status, 'active') = 'active';
