-- A user without organisations belongs to its primaryOrgSourcedId, if it names one.
UPDATE stage_users
SET org_sourced_ids = [primary_org_sourced_id], _untouched = false
WHERE len(coalesce(org_sourced_ids, [])) = 0 AND primary_org_sourced_id IS NOT NULL;
