-- Default permissions of synced staff: every active user whose role is granted some.
-- Reads grants (role, permission). Parameters: $tenant, $app.
CREATE OR REPLACE TABLE staff_permissions AS
SELECT CAST($tenant AS VARCHAR) AS tenant_id, CAST($app AS VARCHAR) AS application_id,
       u.sourced_id AS user_sourced_id, u.role,
       g.permission
FROM users u
JOIN grants g ON g.role = u.role
WHERE u.status = 'active'
ORDER BY u.sourced_id, g.permission;
