-- Every server caches bearer token → principal (src/core/auth/principal-cache.ts). Any change to
-- what a principal is made of tells every server through the event channel, whichever code path
-- (or hand-written SQL) made it. Statement-level, so a bulk change is one event; columns that
-- change on every request or heartbeat (last_used_at, last_seen_at) do not fire.
CREATE FUNCTION corral_auth_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('corral_events', '{"topic":"authChanged","payload":{}}');
  RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE TRIGGER grants_auth_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON grants
  FOR EACH STATEMENT EXECUTE FUNCTION corral_auth_changed();
--> statement-breakpoint
CREATE TRIGGER users_auth_changed AFTER UPDATE OF username, disabled OR DELETE OR TRUNCATE ON users
  FOR EACH STATEMENT EXECUTE FUNCTION corral_auth_changed();
--> statement-breakpoint
CREATE TRIGGER api_tokens_auth_changed
  AFTER UPDATE OF kind, token_hash, user_id, agent_id, max_role, group_names, expires_at, revoked_at OR DELETE OR TRUNCATE ON api_tokens
  FOR EACH STATEMENT EXECUTE FUNCTION corral_auth_changed();
--> statement-breakpoint
CREATE TRIGGER groups_auth_changed AFTER INSERT OR UPDATE OF name OR DELETE OR TRUNCATE ON groups
  FOR EACH STATEMENT EXECUTE FUNCTION corral_auth_changed();
--> statement-breakpoint
CREATE TRIGGER agents_auth_changed AFTER UPDATE OF name OR DELETE OR TRUNCATE ON agents
  FOR EACH STATEMENT EXECUTE FUNCTION corral_auth_changed();
