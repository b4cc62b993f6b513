-- Archived means closed: an enrollment in an archived class, or of a deactivated user, is not
-- active, and a file row that lists one as active gets a warning. Runs after the settings undid
-- what they refuse: kept_archived holds the classes the setting keeps archived. One pass over the
-- enrollments, against the (few) archived classes and deactivated users.
CREATE OR REPLACE TEMP TABLE closed AS
WITH classes AS (SELECT sourced_id FROM next_classes WHERE status = 'tobedeleted'),
users AS (SELECT sourced_id FROM next_users WHERE status = 'tobedeleted')
SELECT e.rowid AS enrollment_row, e._file, e._line, e.sourced_id, e.class_sourced_id,
       e.user_sourced_id, c.sourced_id IS NOT NULL AS class_archived,
       u.sourced_id IS NOT NULL AS user_inactive
FROM stage_enrollments e
LEFT JOIN classes c ON c.sourced_id = e.class_sourced_id
LEFT JOIN users u ON u.sourced_id = e.user_sourced_id
WHERE e._ok AND e.status = 'active' AND (c.sourced_id IS NOT NULL OR u.sourced_id IS NOT NULL);
INSERT INTO batch_findings (file, line, column_name, sourced_id, code, severity, message)
SELECT x._file, x._line, 'classSourcedId', x.sourced_id, 'ENR_CLASS_ARCHIVED', 'warning',
       'class ''' || x.class_sourced_id || ''' is archived'
       || CASE WHEN k.sourced_id IS NOT NULL
               THEN ' (''Unarchive classrooms that reappear'' is off)' ELSE '' END
       || '; the enrollment was kept inactive.'
FROM closed x LEFT JOIN kept_archived k ON k.sourced_id = x.class_sourced_id
WHERE x.class_archived AND x._file <> 'live';
INSERT INTO batch_findings (file, line, column_name, sourced_id, code, severity, message)
SELECT _file, _line, 'userSourcedId', sourced_id, 'ENR_USER_INACTIVE', 'warning',
       'user ''' || user_sourced_id || ''' is deactivated; the enrollment was kept inactive.'
FROM closed WHERE user_inactive AND _file <> 'live';
UPDATE stage_enrollments SET status = 'tobedeleted', _untouched = false
WHERE rowid IN (SELECT enrollment_row FROM closed);
