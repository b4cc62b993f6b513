-- Users that end up with no role or no organisation cannot be applied.
INSERT INTO batch_findings (file, line, column_name, sourced_id, code, severity, message)
SELECT _file, _line, 'role', sourced_id, 'USR_ROLE_MISSING', 'error',
       'The user has no role (no role column value and no roles.csv row); the row was not applied.'
FROM stage_users WHERE _ok AND role IS NULL;
INSERT INTO batch_findings (file, line, column_name, sourced_id, code, severity, message)
SELECT _file, _line, 'orgSourcedIds', sourced_id, 'USR_ORG_MISSING', 'error',
       'The user belongs to no known school or organisation (orgSourcedIds blank or unknown, and '
       || 'no roles.csv row); '
       || 'the row was not applied.'
FROM stage_users WHERE _ok AND len(coalesce(org_sourced_ids, [])) = 0;
UPDATE stage_users SET _ok = false
WHERE _ok AND (role IS NULL OR len(coalesce(org_sourced_ids, [])) = 0);
