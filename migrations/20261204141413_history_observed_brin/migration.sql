DROP INDEX "check_results_observed_idx";--> statement-breakpoint
CREATE INDEX "check_results_observed_brin" ON "check_results" USING brin ("observed_at");