-- Bring the guardian links up to date from next_links: a link that did not change keeps its row
-- and the batch that last changed it; one that ends is deactivated (status tobedeleted,
-- ended_at), never deleted; one that comes back is reactivated. Parameters: $tenant, $app, $batch.
UPDATE student_guardians AS g
SET status = n.status, relationship = n.relationship, batch_id = $batch,
    ended_at = CASE WHEN n.status = 'active' THEN NULL ELSE current_timestamp END,
    tenant_id = $tenant, application_id = $app
FROM next_links AS n
WHERE n.student = g.student_sourced_id AND n.guardian = g.guardian_sourced_id
  AND n.source = g.source
  AND (coalesce(g.status, 'active') IS DISTINCT FROM n.status
       OR (n.status = 'active' AND g.relationship IS DISTINCT FROM n.relationship)
       OR (n.source = 'roster'
           AND (g.tenant_id IS DISTINCT FROM $tenant OR g.application_id IS DISTINCT FROM $app)));
INSERT INTO student_guardians BY NAME
SELECT $tenant AS tenant_id, $app AS application_id, $batch AS batch_id,
       n.student AS student_sourced_id, n.guardian AS guardian_sourced_id, n.relationship,
       n.source, n.status, current_timestamp AS linked_at
FROM next_links n
ANTI JOIN student_guardians g
    ON g.student_sourced_id = n.student AND g.guardian_sourced_id = n.guardian
    AND g.source = n.source;
