-- Legal but suspicious: a class placed at an org that is not a school, a student enrolled as
-- teacher (or a teacher as student), a guardian nobody can reach (no email, no mobile).
INSERT INTO batch_findings (file, line, column_name, sourced_id, code, severity, message)
SELECT c._file, c._line, 'schoolSourcedId', c.sourced_id, 'CLS_SCHOOL_NOT_SCHOOL', 'warning',
       'schoolSourcedId ''' || c.school_sourced_id || ''' is an org of type '
       || coalesce('''' || o.type || '''', '(none)') || ', not a school.'
FROM stage_classes c JOIN next_orgs o ON o.sourced_id = c.school_sourced_id
WHERE c._ok AND c._file <> 'live' AND o.type IS DISTINCT FROM 'school';
INSERT INTO batch_findings (file, line, column_name, sourced_id, code, severity, message)
SELECT e._file, e._line, 'role', e.sourced_id, 'ENR_ROLE_MISMATCH', 'warning',
       'user ''' || e.user_sourced_id || ''' is a ' || u.role || ' but is enrolled as '
       || e.role || '.'
-- (the mismatch is part of the join's key: no enrollment meets its user only to be filtered)
FROM stage_enrollments e JOIN next_users u
    ON u.sourced_id = e.user_sourced_id AND (u.role <> 'student') = (e.role = 'student')
WHERE e._ok AND e._file <> 'live';
INSERT INTO batch_findings (file, line, column_name, sourced_id, code, severity, message)
SELECT u._file, u._line, 'role', u.sourced_id, 'USR_GUARDIAN_UNREACHABLE', 'warning',
       'guardian ''' || u.sourced_id || ''' (' || u.role || ') has neither an email nor a '
       || 'mobile (sms): they cannot log in or receive messages. Add one in the SIS.'
FROM stage_users u
WHERE u._ok AND u._file <> 'live' AND u.role IN ('parent', 'guardian', 'relative')
  AND u.email IS NULL AND u.sms IS NULL;
