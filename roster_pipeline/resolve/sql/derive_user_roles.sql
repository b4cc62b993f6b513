-- OneRoster 1.2 has no users.role / users.orgSourcedIds: take them from roles.csv
-- (the primary role first; the organisations in the order of their ids, the same however the
-- rows are read), where the users file left them blank (primary_org.sql: then
-- primaryOrgSourcedId).
UPDATE stage_users AS u
SET role = coalesce(u.role, r.role),
    org_sourced_ids = CASE WHEN len(coalesce(u.org_sourced_ids, [])) > 0 THEN u.org_sourced_ids
                           ELSE r.orgs END,
    _untouched = false
FROM (
    SELECT user_sourced_id,
           arg_min(role, CASE WHEN role_type = 'primary' THEN 0 ELSE 1 END) AS role,
           list(DISTINCT org_sourced_id ORDER BY org_sourced_id) AS orgs
    FROM next_user_roles
    GROUP BY user_sourced_id
) AS r
WHERE u.sourced_id = r.user_sourced_id
  AND (u.role IS NULL OR len(coalesce(u.org_sourced_ids, [])) = 0);
