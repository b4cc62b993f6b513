-- Guardian links from agentSourcedIds, written on the student, on the guardian, or both.
-- At most $max_guardians per student, and the limit is stable: links already active keep their
-- place, and only links between two active people take one. Parameters: $max_guardians.
-- Reads link_pairs (the edges touching a user in link_students) and link_students (whose links
-- are worked out: every user, or, where rows are quiet, those whose links may change).
CREATE OR REPLACE TEMP TABLE agent_edges AS
WITH people AS (  -- the users the pairs name, found once (the joins below are on the few)
    SELECT sourced_id, role, status FROM next_users
    WHERE sourced_id IN (SELECT owner FROM link_pairs UNION SELECT agent FROM link_pairs)
)
SELECT p._file, p._line, p.owner, p.agent, o.role AS owner_role, a.role AS agent_role,
       o.status = 'active' AND a.status = 'active' AS people_active
FROM link_pairs p
JOIN people o ON o.sourced_id = p.owner
JOIN people a ON a.sourced_id = p.agent;

-- Where only some students' links are worked out (link_scope), an edge counts only for them.
DELETE FROM agent_edges
WHERE (SELECT part FROM link_scope)
  AND NOT ((owner_role = 'student' AND owner IN (SELECT id FROM link_students))
           OR (agent_role = 'student' AND agent IN (SELECT id FROM link_students)));

-- (a finding is about a row a file sent: none for the live rows the file left out)
INSERT INTO batch_findings (file, line, column_name, sourced_id, code, severity, message)
SELECT _file, _line, 'agentSourcedIds', owner, 'USR_AGENT_NOT_GUARDIAN', 'warning',
       'agent ''' || agent || ''' is a ' || agent_role
       || ', not a parent or guardian; no guardian link was made.'
FROM agent_edges
WHERE owner_role = 'student' AND agent_role NOT IN ('parent', 'guardian', 'relative', 'aide')
  AND _file <> 'live';

CREATE OR REPLACE TEMP TABLE guardian_links AS
WITH edges AS (
    SELECT owner AS student, agent AS guardian, agent_role AS relationship, _file, _line, 0 AS side,
           people_active
    FROM agent_edges
    WHERE owner_role = 'student' AND agent_role IN ('parent', 'guardian', 'relative', 'aide')
    UNION ALL
    SELECT agent, owner, owner_role, _file, _line, 1, people_active
    FROM agent_edges
    WHERE agent_role = 'student' AND owner_role IN ('parent', 'guardian', 'relative', 'aide')
),
links AS (
    SELECT student, guardian, arg_min(relationship, side) AS relationship,
           arg_min(_file, side) AS _file, arg_min(_line, side) AS _line, min(_line) AS first_line,
           bool_and(people_active) AS people_active
    FROM edges GROUP BY student, guardian
),
crowded AS (  -- only a student with more candidates than places needs the live links
    SELECT student FROM links WHERE people_active GROUP BY student
    HAVING count(*) > $max_guardians
),
placed AS (
    SELECT l.*, k.student_sourced_id IS NOT NULL AS kept_before
    FROM links l
    LEFT JOIN (SELECT DISTINCT g.student_sourced_id, g.guardian_sourced_id
               FROM main.student_guardians g SEMI JOIN crowded c ON c.student = g.student_sourced_id
               WHERE g.source = 'roster' AND g.status = 'active') k
        ON k.student_sourced_id = l.student AND k.guardian_sourced_id = l.guardian
)
SELECT * EXCLUDE (kept_before),
       CASE WHEN people_active THEN row_number() OVER (
           PARTITION BY student, people_active ORDER BY kept_before DESC, first_line, guardian)
       END AS rank
FROM placed;

INSERT INTO batch_findings (file, line, column_name, sourced_id, code, severity, message)
SELECT g._file, g._line, 'agentSourcedIds', g.student, 'USR_TOO_MANY_GUARDIANS', 'warning',
       'student ''' || g.student || ''' already has ' || CAST($max_guardians AS VARCHAR)
       || ' guardians (kept: ' || k.kept || '); the link to ''' || g.guardian
       || ''' was not made.'
FROM guardian_links g
JOIN (SELECT student, string_agg(guardian, ', ' ORDER BY rank) AS kept
      FROM guardian_links WHERE rank <= $max_guardians
        AND student IN (SELECT student FROM guardian_links WHERE rank > $max_guardians)
      GROUP BY student) k
    ON k.student = g.student
WHERE g.rank > $max_guardians;
