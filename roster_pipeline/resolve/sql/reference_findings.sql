-- Findings for bad_refs. Parameters: $code_prefix, $label, $target_label, $consequence.
INSERT INTO batch_findings (file, line, column_name, sourced_id, code, severity, message)
SELECT _file, _line, $label, sourced_id,
       $code_prefix || '_' || outcome,
       $severity,
       CASE outcome
         WHEN 'LEADING_ZEROS' THEN
           $label || ' ''' || ref || ''' matches no ' || $target_label || ', but ''' || suggestion
           || ''' does: a spreadsheet probably stripped the leading zeros. Format the column as '
           || 'text and export again. ' || $consequence
         WHEN 'REJECTED' THEN
           $label || ' ''' || ref || ''' points to a ' || $target_label
           || ' that was not applied because of its own errors. ' || $consequence
         ELSE
           $label || ' ''' || ref || ''' matches no ' || $target_label || '. ' || $consequence
       END
FROM bad_refs;
