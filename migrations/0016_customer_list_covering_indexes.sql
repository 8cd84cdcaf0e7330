-- The customer list's filters read index entries only (measured with EXPLAIN QUERY PLAN at 100,000
-- customers): the tier (and tier + stage) and rival (and rival + tag) indexes of 0012 now hold the
-- customer's id and the columns their conditions name, and a grid's customers come with their
-- village, so a grid sorted by village reads no customer row. Device-local indexes only: nothing
-- synced changes.
DROP INDEX `key_customers_tier_live_idx`;
--> statement-breakpoint
CREATE INDEX `key_customers_tier_live_idx` ON `key_customers` (coalesce(`tier_override`, `value_tier`), `funnel_stage`, `id`, `tier_override`, `value_tier`, `deleted_at`) WHERE deleted_at IS NULL;
--> statement-breakpoint
DROP INDEX `key_customers_rival_live_idx`;
--> statement-breakpoint
CREATE INDEX `key_customers_rival_live_idx` ON `key_customers` (`rival_used`, `tags`, `id`, `deleted_at`) WHERE deleted_at IS NULL;
--> statement-breakpoint
CREATE INDEX `key_customers_grid_village_idx` ON `key_customers` (`grid_id`, `village_id`, `id`, `deleted_at`) WHERE deleted_at IS NULL;
