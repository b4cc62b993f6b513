-- An enrollment without a school takes its class's school; a different school is reported.
UPDATE stage_enrollments AS e SET school_sourced_id = c.school_sourced_id
FROM stage_classes AS c
WHERE e.class_sourced_id = c.sourced_id AND c._ok AND e.school_sourced_id IS NULL;
INSERT INTO batch_findings
SELECT e._file, e._line, 'schoolSourcedId', e.sourced_id, 'ENR_SCHOOL_MISMATCH', 'warning',
       'schoolSourcedId ''' || e.school_sourced_id || ''' differs from the school of class '''
       || e.class_sourced_id || ''' (''' || c.school_sourced_id || '''); the class''s school is used.'
FROM stage_enrollments e JOIN stage_classes c ON c.sourced_id = e.class_sourced_id AND c._ok
WHERE e._ok AND e.school_sourced_id IS DISTINCT FROM c.school_sourced_id;
UPDATE stage_enrollments AS e SET school_sourced_id = c.school_sourced_id
FROM stage_classes AS c
WHERE e.class_sourced_id = c.sourced_id AND c._ok AND e._ok
  AND e.school_sourced_id IS DISTINCT FROM c.school_sourced_id;
