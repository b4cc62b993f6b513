-- Write an imported relationships plan: new typed links, and type changes of existing links.
-- Parameters: $batch, $tenant, $app.
INSERT INTO student_guardians BY NAME
SELECT $tenant AS tenant_id, $app AS application_id, $batch AS batch_id, student_sourced_id,
       guardian_sourced_id, relationship, 'relationships_import' AS source
FROM plan_new_links;
UPDATE student_guardians AS g
SET relationship = c.relationship, batch_id = $batch
FROM plan_type_changes AS c
WHERE g.student_sourced_id = c.student_sourced_id
  AND g.guardian_sourced_id = c.guardian_sourced_id;
