-- A row can arrive after the rows that refer to it: a customer edited at HQ after its visits were
-- written comes later in a pull than those visits, and a renamed village later than its customers.
-- The visit rollups then counted such visits for their grid only (their village comes from the
-- customer), and the customer search had no village name. These triggers complete the derived
-- rows when the customer or the village arrives; the rollups and the search's village names are
-- rebuilt once (NOT INDEXED: one sequential pass over visits, not a walk of a partial index).
CREATE TRIGGER `key_customers_rollup_village_ai` AFTER INSERT ON `key_customers`
WHEN new.village_id IS NOT NULL BEGIN
	INSERT INTO visit_rollup (unit_id, day, n, last_at)
	SELECT new.village_id, substr(s.checked_in_at, 1, 10), count(*), max(s.checked_in_at) FROM visits s
	WHERE s.customer_id = new.id AND s.village_id IS NULL AND s.status = 'done' AND s.deleted_at IS NULL AND s.checked_in_at IS NOT NULL
	GROUP BY 2
	ON CONFLICT (unit_id, day) DO UPDATE SET n = n + excluded.n, last_at = max(last_at, excluded.last_at);
END;
--> statement-breakpoint
CREATE TRIGGER `villages_customer_search_ai` AFTER INSERT ON `villages` BEGIN
	UPDATE customer_search SET village = new.name
	WHERE customer_id IN (SELECT id FROM key_customers WHERE village_id = new.id AND deleted_at IS NULL);
END;
--> statement-breakpoint
DELETE FROM visit_rollup;
--> statement-breakpoint
INSERT INTO visit_rollup (unit_id, day, n, last_at)
SELECT unit, day, count(*), max(at) FROM (
	SELECT coalesce(s.village_id, k.village_id) AS unit, substr(s.checked_in_at, 1, 10) AS day, s.checked_in_at AS at
	FROM visits s NOT INDEXED LEFT JOIN key_customers k ON k.id = s.customer_id
	WHERE s.status = 'done' AND s.deleted_at IS NULL AND s.checked_in_at IS NOT NULL
	UNION ALL
	SELECT s.grid_id, substr(s.checked_in_at, 1, 10), s.checked_in_at FROM visits s NOT INDEXED
	WHERE s.status = 'done' AND s.deleted_at IS NULL AND s.checked_in_at IS NOT NULL
) WHERE unit IS NOT NULL GROUP BY unit, day;
--> statement-breakpoint
UPDATE customer_search SET village = (
	SELECT v.name FROM key_customers k JOIN villages v ON v.id = k.village_id WHERE k.id = customer_search.customer_id)
WHERE village = '' AND EXISTS (SELECT 1 FROM key_customers k JOIN villages v ON v.id = k.village_id WHERE k.id = customer_search.customer_id);
