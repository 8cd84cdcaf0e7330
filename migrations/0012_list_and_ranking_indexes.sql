-- Indexes that let the customer list and the "who to see next" ranking read few rows whatever the
-- county's size (measured with EXPLAIN QUERY PLAN on a 100k-customer county, bench/scale.ts).
-- Device-local indexes only: nothing synced changes.
-- The list sorted by name: live customers in pinyin order (then name, then id) straight off the
-- search keys, so a page is read in order and cut instead of sorting every match (repos/customers.ts).
-- It also answers the pinyin prefix searches the old single-column index did.
CREATE INDEX `customer_search_order_idx` ON `customer_search` (`pinyin`, `name`, `customer_id`);
--> statement-breakpoint
DROP INDEX `customer_search_pinyin_idx`;
--> statement-breakpoint
-- The list's tier (and tier + stage) filter, counted and chosen without reading the rows.
CREATE INDEX `key_customers_tier_live_idx` ON `key_customers` (coalesce(`tier_override`, `value_tier`), `funnel_stage`) WHERE deleted_at IS NULL;
--> statement-breakpoint
-- The list's rival (and rival + tag) filter, likewise.
CREATE INDEX `key_customers_rival_live_idx` ON `key_customers` (`rival_used`, `tags`) WHERE deleted_at IS NULL;
--> statement-breakpoint
-- The ranking's inputs per grid in one narrow covering index (deleted_at listed so no row is read):
-- every grid customer's score bound is computed from it, and only the few that can reach the top
-- are read in full (handlers/visits.ts rankNextUp).
CREATE INDEX `key_customers_rank_idx` ON `key_customers` (`grid_id`, `tier_override`, `value_tier`, `contract_expiry`, `next_follow_up`, `influence`, `id`, `deleted_at`) WHERE deleted_at IS NULL;
