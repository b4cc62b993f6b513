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
-- the links: upload_links.sql (plan_links, source 'guardians_upload')
