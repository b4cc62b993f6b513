-- Every guardian link of the next state, of every source, with its status: a link is active
-- while both its people are active and its source still lists it (the roster's agentSourcedIds
-- within the limit; an upload's or import's link stays listed). Nothing is dropped: a link that
-- ends is deactivated and comes back when it is listed again.
-- Reads guardian_links (the roster's, empty when the sync does not manage guardians) and
-- link_live (the live links whose next state is worked out: all, or those of link_students).
-- Parameters: $max.
-- The roster's candidates already join only active people (guardian_links.rank is null
-- otherwise), so only the uploads' links are looked up against the people.
CREATE OR REPLACE TEMP TABLE next_links AS
WITH live AS (
    SELECT student_sourced_id AS student, guardian_sourced_id AS guardian, relationship, source,
           coalesce(status, 'active') AS status
    FROM link_live
),
people AS (SELECT sourced_id, status = 'active' AS active FROM next_users)
SELECT coalesce(r.student, l.student) AS student, coalesce(r.guardian, l.guardian) AS guardian,
       coalesce(r.relationship, l.relationship) AS relationship, 'roster' AS source,
       CASE WHEN r.student IS NOT NULL THEN 'active' ELSE 'tobedeleted' END AS status
FROM (SELECT student, guardian, relationship FROM guardian_links WHERE rank <= $max) r
FULL JOIN (SELECT * FROM live WHERE source = 'roster') l
    ON l.student = r.student AND l.guardian = r.guardian
UNION ALL
SELECT n.student, n.guardian, n.relationship, n.source,
       CASE WHEN coalesce(s.active, false) AND coalesce(g.active, false)
            THEN 'active' ELSE 'tobedeleted' END
FROM (SELECT * FROM live WHERE source <> 'roster') n
LEFT JOIN people s ON s.sourced_id = n.student
LEFT JOIN people g ON g.sourced_id = n.guardian;
