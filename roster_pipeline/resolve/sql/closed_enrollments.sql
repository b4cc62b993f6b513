-- Archived means closed: an enrollment in an archived class, or of a deactivated user, is not
-- active, and a file row that lists one as active gets a warning. Runs after the settings undid
-- what they refuse: kept_archived holds the classes the setting keeps archived.
INSERT INTO batch_findings (file, line, column_name, sourced_id, code, severity, message)
SELECT e._file, e._line, 'classSourcedId', e.sourced_id, 'ENR_CLASS_ARCHIVED', 'warning',
       'class ''' || e.class_sourced_id || ''' is archived'
       || CASE WHEN k.sourced_id IS NOT NULL
               THEN ' (''Unarchive classrooms that reappear'' is off)' ELSE '' END
       || '; the enrollment was kept inactive.'
FROM stage_enrollments e
JOIN stage_classes c ON c.sourced_id = e.class_sourced_id AND c._ok
LEFT JOIN kept_archived k ON k.sourced_id = c.sourced_id
WHERE e._ok AND e._file <> 'live' AND e.status = 'active' AND c.status = 'tobedeleted';
INSERT INTO batch_findings (file, line, column_name, sourced_id, code, severity, message)
SELECT e._file, e._line, 'userSourcedId', e.sourced_id, 'ENR_USER_INACTIVE', 'warning',
       'user ''' || e.user_sourced_id || ''' is deactivated; the enrollment was kept inactive.'
FROM stage_enrollments e
JOIN stage_users u ON u.sourced_id = e.user_sourced_id AND u._ok
WHERE e._ok AND e._file <> 'live' AND e.status = 'active' AND u.status = 'tobedeleted';
UPDATE stage_enrollments SET status = 'tobedeleted'
WHERE _ok AND status = 'active'
  AND (class_sourced_id IN (SELECT sourced_id FROM stage_classes WHERE _ok AND status = 'tobedeleted')
       OR user_sourced_id IN (SELECT sourced_id FROM stage_users WHERE _ok AND status = 'tobedeleted'));
