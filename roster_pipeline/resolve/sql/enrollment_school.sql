-- An enrollment without a school takes its class's school; a different school is reported.
UPDATE stage_enrollments AS e SET school_sourced_id = c.school_sourced_id, _untouched = false
FROM next_classes AS c
WHERE e.class_sourced_id = c.sourced_id AND e.school_sourced_id IS NULL;
-- One join finds the applied enrollments whose school differs from their class's.
CREATE OR REPLACE TEMP TABLE school_mismatch AS
SELECT e._row, e._file, e._line, e.sourced_id, e.school_sourced_id, e.class_sourced_id,
       c.school_sourced_id AS class_school
FROM stage_enrollments e JOIN next_classes c ON c.sourced_id = e.class_sourced_id
WHERE e._ok AND e.school_sourced_id IS DISTINCT FROM c.school_sourced_id;
-- (a finding is about a row a file sent: none for the live rows the file left out)
INSERT INTO batch_findings (file, line, column_name, sourced_id, code, severity, message)
SELECT _file, _line, 'schoolSourcedId', sourced_id, 'ENR_SCHOOL_MISMATCH', 'warning',
       'schoolSourcedId ''' || school_sourced_id || ''' differs from the school of class '''
       || class_sourced_id || ''' (''' || class_school || '''); the class''s school is used.'
FROM school_mismatch
WHERE _file <> 'live';
UPDATE stage_enrollments AS e SET school_sourced_id = m.class_school, _untouched = false
FROM school_mismatch AS m
WHERE e._row = m._row;
