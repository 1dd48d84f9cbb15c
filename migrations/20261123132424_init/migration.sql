CREATE TABLE "audit_events" (
	"id" bigserial PRIMARY KEY,
	"at" timestamp with time zone DEFAULT now() NOT NULL,
	"actor" text NOT NULL,
	"actor_id" uuid,
	"action" text NOT NULL,
	"targets" jsonb DEFAULT '[]' NOT NULL,
	"reason" text,
	"outcome" text NOT NULL,
	"details" jsonb,
	"request_id" text
);
--> statement-breakpoint
CREATE TABLE "api_tokens" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid(),
	"kind" text NOT NULL,
	"name" text NOT NULL,
	"token_hash" text NOT NULL UNIQUE,
	"user_id" uuid,
	"agent_id" uuid,
	"max_role" text,
	"group_names" jsonb,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"expires_at" timestamp with time zone,
	"last_used_at" timestamp with time zone,
	"revoked_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "grants" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid(),
	"user_id" uuid NOT NULL,
	"role" text NOT NULL,
	"group_id" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "rate_limits" (
	"key" text,
	"window_start" timestamp with time zone,
	"count" integer DEFAULT 0 NOT NULL,
	CONSTRAINT "rate_limits_pkey" PRIMARY KEY("key","window_start")
);
--> statement-breakpoint
CREATE TABLE "users" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid(),
	"username" text NOT NULL UNIQUE,
	"password_hash" text NOT NULL,
	"disabled" boolean DEFAULT false NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "check_definitions" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid(),
	"name" text NOT NULL UNIQUE,
	"kind" text NOT NULL,
	"params" jsonb DEFAULT '{}' NOT NULL,
	"target" jsonb DEFAULT '{"all":true}' NOT NULL,
	"interval_s" integer NOT NULL,
	"timeout_s" integer NOT NULL,
	"fail_threshold" integer DEFAULT 3 NOT NULL,
	"ok_threshold" integer DEFAULT 2 NOT NULL,
	"enabled" boolean DEFAULT true NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "check_results" (
	"id" bigserial PRIMARY KEY,
	"host_id" uuid NOT NULL,
	"check_id" uuid NOT NULL,
	"kind" text NOT NULL,
	"status" text NOT NULL,
	"summary" text NOT NULL,
	"metrics" jsonb,
	"observed_at" timestamp with time zone NOT NULL,
	"duration_ms" double precision DEFAULT 0 NOT NULL
);
--> statement-breakpoint
CREATE TABLE "check_state" (
	"host_id" uuid,
	"check_id" uuid,
	"kind" text NOT NULL,
	"status" text NOT NULL,
	"last_status" text NOT NULL,
	"summary" text NOT NULL,
	"metrics" jsonb,
	"observed_at" timestamp with time zone NOT NULL,
	"since" timestamp with time zone NOT NULL,
	"consecutive_failures" integer DEFAULT 0 NOT NULL,
	"consecutive_ok" integer DEFAULT 0 NOT NULL,
	"next_due_at" timestamp with time zone NOT NULL,
	"backoff_s" integer DEFAULT 0 NOT NULL,
	"duration_ms" double precision DEFAULT 0 NOT NULL,
	"result_count" integer DEFAULT 0 NOT NULL,
	CONSTRAINT "check_state_pkey" PRIMARY KEY("host_id","check_id")
);
--> statement-breakpoint
CREATE TABLE "groups" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid(),
	"name" text NOT NULL UNIQUE,
	"source" text DEFAULT 'STATIC' NOT NULL,
	"description" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "host_groups" (
	"host_id" uuid,
	"group_id" uuid,
	CONSTRAINT "host_groups_pkey" PRIMARY KEY("host_id","group_id")
);
--> statement-breakpoint
CREATE TABLE "host_settings" (
	"host_id" uuid,
	"plugin" text,
	"settings" jsonb DEFAULT '{}' NOT NULL,
	"secrets" text,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "host_settings_pkey" PRIMARY KEY("host_id","plugin")
);
--> statement-breakpoint
CREATE TABLE "hosts" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid(),
	"name" text NOT NULL UNIQUE,
	"address" text,
	"labels" jsonb DEFAULT '{}' NOT NULL,
	"enabled" boolean DEFAULT true NOT NULL,
	"disabled_reason" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "plugin_state" (
	"plugin" text,
	"host_id" uuid,
	"key" text,
	"value" jsonb,
	CONSTRAINT "plugin_state_pkey" PRIMARY KEY("plugin","host_id","key")
);
--> statement-breakpoint
CREATE TABLE "agents" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid(),
	"name" text NOT NULL UNIQUE,
	"host_id" uuid,
	"capabilities" jsonb DEFAULT '[]' NOT NULL,
	"resources" jsonb DEFAULT '{}' NOT NULL,
	"status" text DEFAULT 'OFFLINE' NOT NULL,
	"version" text,
	"last_seen_at" timestamp with time zone,
	"registered_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "jobs" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid(),
	"name" text NOT NULL,
	"type" text NOT NULL,
	"settings" jsonb DEFAULT '{}' NOT NULL,
	"state" text DEFAULT 'QUEUED' NOT NULL,
	"priority" integer DEFAULT 50 NOT NULL,
	"created_by" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "project_placements" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid(),
	"project_id" uuid NOT NULL,
	"agent_id" uuid NOT NULL,
	"state" text DEFAULT 'ASSIGNED' NOT NULL,
	"detail" text,
	"placed_at" timestamp with time zone DEFAULT now() NOT NULL,
	"reported_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "projects" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid(),
	"name" text NOT NULL UNIQUE,
	"git_url" text NOT NULL,
	"ref" text DEFAULT 'main' NOT NULL,
	"command" jsonb NOT NULL,
	"needs" jsonb DEFAULT '{}' NOT NULL,
	"desired_state" text DEFAULT 'STOPPED' NOT NULL,
	"variables" jsonb DEFAULT '{}' NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "tasks" (
	"id" bigserial PRIMARY KEY,
	"job_id" uuid NOT NULL,
	"idx" integer NOT NULL,
	"state" text DEFAULT 'QUEUED' NOT NULL,
	"payload" jsonb DEFAULT '{}' NOT NULL,
	"lease_owner" uuid,
	"lease_expires_at" timestamp with time zone,
	"attempts" integer DEFAULT 0 NOT NULL,
	"result" jsonb,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE INDEX "audit_events_at_idx" ON "audit_events" ("at");--> statement-breakpoint
CREATE INDEX "audit_events_action_idx" ON "audit_events" ("action");--> statement-breakpoint
CREATE INDEX "api_tokens_user_idx" ON "api_tokens" ("user_id");--> statement-breakpoint
CREATE INDEX "grants_user_idx" ON "grants" ("user_id");--> statement-breakpoint
CREATE INDEX "check_results_host_kind_idx" ON "check_results" ("host_id","kind","observed_at");--> statement-breakpoint
CREATE INDEX "check_results_observed_idx" ON "check_results" ("observed_at");--> statement-breakpoint
CREATE INDEX "check_state_due_idx" ON "check_state" ("next_due_at");--> statement-breakpoint
CREATE INDEX "host_groups_group_idx" ON "host_groups" ("group_id");--> statement-breakpoint
CREATE INDEX "project_placements_project_idx" ON "project_placements" ("project_id");--> statement-breakpoint
CREATE INDEX "tasks_job_state_idx" ON "tasks" ("job_id","state");--> statement-breakpoint
ALTER TABLE "api_tokens" ADD CONSTRAINT "api_tokens_user_id_users_id_fkey" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE;--> statement-breakpoint
ALTER TABLE "grants" ADD CONSTRAINT "grants_user_id_users_id_fkey" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE;--> statement-breakpoint
ALTER TABLE "grants" ADD CONSTRAINT "grants_group_id_groups_id_fkey" FOREIGN KEY ("group_id") REFERENCES "groups"("id") ON DELETE CASCADE;--> statement-breakpoint
ALTER TABLE "check_results" ADD CONSTRAINT "check_results_host_id_hosts_id_fkey" FOREIGN KEY ("host_id") REFERENCES "hosts"("id") ON DELETE CASCADE;--> statement-breakpoint
ALTER TABLE "check_results" ADD CONSTRAINT "check_results_check_id_check_definitions_id_fkey" FOREIGN KEY ("check_id") REFERENCES "check_definitions"("id") ON DELETE CASCADE;--> statement-breakpoint
ALTER TABLE "check_state" ADD CONSTRAINT "check_state_host_id_hosts_id_fkey" FOREIGN KEY ("host_id") REFERENCES "hosts"("id") ON DELETE CASCADE;--> statement-breakpoint
ALTER TABLE "check_state" ADD CONSTRAINT "check_state_check_id_check_definitions_id_fkey" FOREIGN KEY ("check_id") REFERENCES "check_definitions"("id") ON DELETE CASCADE;--> statement-breakpoint
ALTER TABLE "host_groups" ADD CONSTRAINT "host_groups_host_id_hosts_id_fkey" FOREIGN KEY ("host_id") REFERENCES "hosts"("id") ON DELETE CASCADE;--> statement-breakpoint
ALTER TABLE "host_groups" ADD CONSTRAINT "host_groups_group_id_groups_id_fkey" FOREIGN KEY ("group_id") REFERENCES "groups"("id") ON DELETE CASCADE;--> statement-breakpoint
ALTER TABLE "host_settings" ADD CONSTRAINT "host_settings_host_id_hosts_id_fkey" FOREIGN KEY ("host_id") REFERENCES "hosts"("id") ON DELETE CASCADE;--> statement-breakpoint
ALTER TABLE "plugin_state" ADD CONSTRAINT "plugin_state_host_id_hosts_id_fkey" FOREIGN KEY ("host_id") REFERENCES "hosts"("id") ON DELETE CASCADE;--> statement-breakpoint
ALTER TABLE "agents" ADD CONSTRAINT "agents_host_id_hosts_id_fkey" FOREIGN KEY ("host_id") REFERENCES "hosts"("id") ON DELETE SET NULL;--> statement-breakpoint
ALTER TABLE "project_placements" ADD CONSTRAINT "project_placements_project_id_projects_id_fkey" FOREIGN KEY ("project_id") REFERENCES "projects"("id") ON DELETE CASCADE;--> statement-breakpoint
ALTER TABLE "project_placements" ADD CONSTRAINT "project_placements_agent_id_agents_id_fkey" FOREIGN KEY ("agent_id") REFERENCES "agents"("id") ON DELETE CASCADE;--> statement-breakpoint
ALTER TABLE "tasks" ADD CONSTRAINT "tasks_job_id_jobs_id_fkey" FOREIGN KEY ("job_id") REFERENCES "jobs"("id") ON DELETE CASCADE;