-- Write an imported relationships plan: new typed links, and type changes of existing links.
-- Parameters: $batch, $tenant, $app.
-- the links: upload_links.sql (plan_new_links, source 'relationships_import')
UPDATE student_guardians AS g
SET relationship = c.relationship, batch_id = $batch
FROM plan_type_changes AS c
WHERE g.student_sourced_id = c.student_sourced_id
  AND g.guardian_sourced_id = c.guardian_sourced_id AND coalesce(g.status, 'active') = 'active';
