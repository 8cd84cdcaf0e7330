-- Each grid's live customers by monthly revenue, with the id: the 80/20 analysis sums a region's
-- values and picks its most valuable customers, and the customer list sorts a grid by revenue, off
-- these narrow entries instead of every customer's (wide) row. Device-local index only.
CREATE INDEX `key_customers_grid_revenue_idx` ON `key_customers` (`grid_id`, `monthly_revenue`, `id`, `deleted_at`) WHERE deleted_at IS NULL;
