-- Pairs written due now (new pairs, pairs made due by a change of the check, hosts back from
-- maintenance) now always touch their check's row, even when its next_due_at is already earlier.
-- A claim that read the check's pairs before such a write committed (and so found nothing due)
-- then sees a new row version and keeps next_due_at, instead of moving it to 'infinity' and
-- leaving the new pairs unchecked.
CREATE OR REPLACE FUNCTION corral_check_due_lowered() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE check_definitions cd SET next_due_at = least(cd.next_due_at, m.due)
  FROM (SELECT check_id, min(next_due_at) AS due FROM written GROUP BY check_id) m
  WHERE cd.id = m.check_id AND (cd.next_due_at > m.due OR m.due <= now());
  RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE OR REPLACE FUNCTION corral_host_enabled() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE check_definitions cd SET next_due_at = least(cd.next_due_at, m.due)
  FROM (SELECT cs.check_id, min(cs.next_due_at) AS due
        FROM new_hosts n JOIN old_hosts o ON o.id = n.id JOIN check_state cs ON cs.host_id = n.id
        WHERE n.enabled AND NOT o.enabled GROUP BY cs.check_id) m
  WHERE cd.id = m.check_id AND (cd.next_due_at > m.due OR m.due <= now());
  RETURN NULL;
END
$$;
