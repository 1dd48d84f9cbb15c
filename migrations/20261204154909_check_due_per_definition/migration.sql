DROP INDEX "check_state_due_idx";--> statement-breakpoint
ALTER TABLE "check_definitions" ADD COLUMN "next_due_at" timestamp with time zone DEFAULT now() NOT NULL;--> statement-breakpoint
CREATE INDEX "check_state_check_idx" ON "check_state" ("check_id");--> statement-breakpoint
-- Room in each page for the new version of a row, so that a sweep's updates are HOT (no index
-- changes). Takes effect for pages written from now on.
ALTER TABLE "check_state" SET (fillfactor = 50);
--> statement-breakpoint
-- check_definitions.next_due_at is kept no later than the earliest next_due_at of the check's pairs,
-- whoever writes them (a sweep, runChecks, the target sync, SQL typed by hand): statement-level,
-- one UPDATE per statement whatever its row count, and only where it lowers the value.
CREATE FUNCTION corral_check_due_lowered() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE check_definitions cd SET next_due_at = m.due
  FROM (SELECT check_id, min(next_due_at) AS due FROM written GROUP BY check_id) m
  WHERE cd.id = m.check_id AND cd.next_due_at > m.due;
  RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE TRIGGER check_state_due_inserted AFTER INSERT ON check_state
  REFERENCING NEW TABLE AS written FOR EACH STATEMENT EXECUTE FUNCTION corral_check_due_lowered();
--> statement-breakpoint
CREATE TRIGGER check_state_due_updated AFTER UPDATE ON check_state
  REFERENCING NEW TABLE AS written FOR EACH STATEMENT EXECUTE FUNCTION corral_check_due_lowered();
--> statement-breakpoint
-- A host taken out of maintenance: its pairs (due while it was disabled) are due again.
CREATE FUNCTION corral_host_enabled() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE check_definitions cd SET next_due_at = m.due
  FROM (SELECT cs.check_id, min(cs.next_due_at) AS due
        FROM new_hosts n JOIN old_hosts o ON o.id = n.id JOIN check_state cs ON cs.host_id = n.id
        WHERE n.enabled AND NOT o.enabled GROUP BY cs.check_id) m
  WHERE cd.id = m.check_id AND cd.next_due_at > m.due;
  RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE TRIGGER hosts_enabled_due AFTER UPDATE ON hosts
  REFERENCING OLD TABLE AS old_hosts NEW TABLE AS new_hosts FOR EACH STATEMENT EXECUTE FUNCTION corral_host_enabled();
