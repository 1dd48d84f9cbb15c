ALTER TABLE "check_results" DROP CONSTRAINT "check_results_host_id_hosts_id_fkey";--> statement-breakpoint
ALTER TABLE "check_results" DROP CONSTRAINT "check_results_check_id_check_definitions_id_fkey";--> statement-breakpoint
ALTER TABLE "check_definitions" ADD COLUMN "lease_owner" text;--> statement-breakpoint
ALTER TABLE "check_definitions" ADD COLUMN "lease_until" timestamp with time zone;