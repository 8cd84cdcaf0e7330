DROP INDEX `competitor_intel_grid_idx`;--> statement-breakpoint
CREATE INDEX `competitor_intel_grid_live_idx` ON `competitor_intel` (`grid_id`,`seen_at`) WHERE deleted_at IS NULL;--> statement-breakpoint
DROP INDEX `key_customers_grid_idx`;--> statement-breakpoint
CREATE INDEX `key_customers_grid_tier_idx` ON `key_customers` (`grid_id`,`deleted_at`,`value_tier`,`tier_override`);--> statement-breakpoint
DROP INDEX `visits_grid_idx`;--> statement-breakpoint
CREATE INDEX `visits_grid_live_idx` ON `visits` (`grid_id`,`status`,`checked_in_at`) WHERE deleted_at IS NULL;