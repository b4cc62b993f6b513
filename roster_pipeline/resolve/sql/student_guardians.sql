-- Guardian links from agentSourcedIds, written on the student, on the guardian, or both.
-- Parameters: $max_guardians.
CREATE OR REPLACE TEMP TABLE agent_edges AS
WITH users AS (SELECT * FROM stage_users WHERE _ok),
pairs AS (
    SELECT u._file, u._line, u.sourced_id AS owner, unnest(u.agent_sourced_ids) AS agent
    FROM users u
)
SELECT p._file, p._line, p.owner, p.agent, o.role AS owner_role, a.role AS agent_role
FROM pairs p
JOIN users o ON o.sourced_id = p.owner
JOIN users a ON a.sourced_id = p.agent;

INSERT INTO batch_findings (file, line, column_name, sourced_id, code, severity, message)
SELECT _file, _line, 'agentSourcedIds', owner, 'USR_AGENT_NOT_GUARDIAN', 'warning',
       'agent ''' || agent || ''' is a ' || agent_role
       || ', not a parent or guardian; no guardian link was made.'
FROM agent_edges
WHERE owner_role = 'student' AND agent_role NOT IN ('parent', 'guardian', 'relative', 'aide');

CREATE OR REPLACE TEMP TABLE guardian_links AS
WITH edges AS (
    SELECT owner AS student, agent AS guardian, agent_role AS relationship, _file, _line, 0 AS side
    FROM agent_edges
    WHERE owner_role = 'student' AND agent_role IN ('parent', 'guardian', 'relative', 'aide')
    UNION ALL
    SELECT agent, owner, owner_role, _file, _line, 1
    FROM agent_edges
    WHERE agent_role = 'student' AND owner_role IN ('parent', 'guardian', 'relative', 'aide')
),
links AS (
    SELECT student, guardian, arg_min(relationship, side) AS relationship,
           arg_min(_file, side) AS _file, arg_min(_line, side) AS _line, min(_line) AS first_line
    FROM edges GROUP BY student, guardian
)
SELECT *, row_number() OVER (PARTITION BY student ORDER BY first_line, guardian) AS rank
FROM links;

INSERT INTO batch_findings (file, line, column_name, sourced_id, code, severity, message)
SELECT _file, _line, 'agentSourcedIds', student, 'USR_TOO_MANY_GUARDIANS', 'warning',
       'student ''' || student || ''' would have more than ' || CAST($max_guardians AS VARCHAR)
       || ' guardians; the link to ''' || guardian || ''' was not made.'
FROM guardian_links WHERE rank > $max_guardians;
