-- Write the planned guardian accounts and links into the live tables.
-- Parameters: $batch, $tenant, $app.
UPDATE users AS u
SET given_name = g.given_name, family_name = g.family_name, email = g.email, sms = g.sms,
    phone = g.phone, language = g.language, batch_id = $batch
FROM plan_guardians AS g
WHERE g.action = 'UPDATED' AND u.sourced_id = g.sourced_id;
INSERT INTO users BY NAME
SELECT $tenant AS tenant_id, $app AS application_id, $batch AS batch_id, sourced_id,
       'active' AS status, true AS enabled_user,
       org_sourced_ids, role, given_name, family_name, email, sms, phone, language
FROM plan_guardians WHERE action = 'CREATED';
-- A link the upload made before and that ended comes back (reactivated, not a second row).
UPDATE student_guardians AS g
SET status = 'active', ended_at = NULL, relationship = l.relationship, batch_id = $batch
FROM plan_links AS l
WHERE g.student_sourced_id = l.student_sourced_id AND g.guardian_sourced_id = l.guardian_sourced_id
  AND g.source = 'guardians_upload';
INSERT INTO student_guardians BY NAME
SELECT $tenant AS tenant_id, $app AS application_id, $batch AS batch_id, l.student_sourced_id,
       l.guardian_sourced_id, l.relationship, 'guardians_upload' AS source, 'active' AS status,
       current_timestamp AS linked_at
FROM plan_links l
ANTI JOIN (SELECT * FROM student_guardians WHERE source = 'guardians_upload') g
    ON g.student_sourced_id = l.student_sourced_id AND g.guardian_sourced_id = l.guardian_sourced_id;
