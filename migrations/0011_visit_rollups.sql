-- What the map and the ranking read about visits, kept by triggers in the writing transaction
-- (handlers, demo load, sync pull, imports) instead of aggregated over every visit on each read.
-- A visit counts when it is done, live and checked in. visit_rollup: per village (the visit's own,
-- else its customer's) and per grid, per UTC day of the check-in: how many and the latest check-in.
-- customer_last_visit: each customer's latest counted check-in. Device-local, never synced: sync
-- apply writes visits and key_customers, and these triggers follow.
CREATE TABLE `visit_rollup` (
	`unit_id` text NOT NULL,
	`day` text NOT NULL,
	`n` integer NOT NULL,
	`last_at` text NOT NULL,
	PRIMARY KEY (`unit_id`, `day`)
) WITHOUT ROWID;
--> statement-breakpoint
CREATE TABLE `customer_last_visit` (
	`customer_id` text PRIMARY KEY NOT NULL,
	`last_at` text
) WITHOUT ROWID;
--> statement-breakpoint
-- One day's counted visits across the county (recounting a day after an edit; the map's 30-day edge).
CREATE INDEX `visits_done_at_idx` ON `visits` (`checked_in_at`) WHERE status = 'done' AND deleted_at IS NULL;
--> statement-breakpoint
-- Intel newest first (the map's pins, the intel list) without sorting every record.
CREATE INDEX `competitor_intel_live_seen_idx` ON `competitor_intel` (`seen_at`, `id`) WHERE deleted_at IS NULL;
--> statement-breakpoint
INSERT INTO visit_rollup (unit_id, day, n, last_at)
SELECT unit, day, count(*), max(at) FROM (
	SELECT coalesce(s.village_id, k.village_id) AS unit, substr(s.checked_in_at, 1, 10) AS day, s.checked_in_at AS at
	FROM visits s LEFT JOIN key_customers k ON k.id = s.customer_id
	WHERE s.status = 'done' AND s.deleted_at IS NULL AND s.checked_in_at IS NOT NULL
	UNION ALL
	SELECT s.grid_id, substr(s.checked_in_at, 1, 10), s.checked_in_at FROM visits s
	WHERE s.status = 'done' AND s.deleted_at IS NULL AND s.checked_in_at IS NOT NULL
) WHERE unit IS NOT NULL GROUP BY unit, day;
--> statement-breakpoint
INSERT INTO customer_last_visit (customer_id, last_at)
SELECT customer_id, max(checked_in_at) FROM visits
WHERE status = 'done' AND deleted_at IS NULL AND checked_in_at IS NOT NULL AND customer_id IS NOT NULL GROUP BY customer_id;
--> statement-breakpoint
CREATE TRIGGER `visits_rollup_ai` AFTER INSERT ON `visits`
WHEN new.status = 'done' AND new.deleted_at IS NULL AND new.checked_in_at IS NOT NULL BEGIN
	INSERT INTO visit_rollup (unit_id, day, n, last_at)
	SELECT u.id, substr(new.checked_in_at, 1, 10), 1, new.checked_in_at
	FROM (SELECT coalesce(new.village_id, (SELECT village_id FROM key_customers WHERE id = new.customer_id)) AS id UNION ALL SELECT new.grid_id) u
	WHERE u.id IS NOT NULL
	ON CONFLICT (unit_id, day) DO UPDATE SET n = n + 1, last_at = max(last_at, excluded.last_at);
	INSERT INTO customer_last_visit (customer_id, last_at) SELECT new.customer_id, new.checked_in_at WHERE new.customer_id IS NOT NULL
	ON CONFLICT (customer_id) DO UPDATE SET last_at = max(coalesce(last_at, ''), excluded.last_at);
END;
--> statement-breakpoint
CREATE TRIGGER `visits_rollup_ad` AFTER DELETE ON `visits`
WHEN old.status = 'done' AND old.deleted_at IS NULL AND old.checked_in_at IS NOT NULL BEGIN
	UPDATE visit_rollup SET n = n - 1, last_at = CASE WHEN last_at = old.checked_in_at THEN coalesce((
		SELECT max(s.checked_in_at) FROM visits s LEFT JOIN key_customers k ON k.id = s.customer_id
		WHERE s.status = 'done' AND s.deleted_at IS NULL AND s.checked_in_at >= visit_rollup.day AND s.checked_in_at < visit_rollup.day || 'U'
			AND (s.grid_id = visit_rollup.unit_id OR coalesce(s.village_id, k.village_id) = visit_rollup.unit_id)), last_at) ELSE last_at END
	WHERE day = substr(old.checked_in_at, 1, 10) AND unit_id IN (coalesce(old.village_id, (SELECT village_id FROM key_customers WHERE id = old.customer_id)), old.grid_id);
	DELETE FROM visit_rollup WHERE n <= 0 AND day = substr(old.checked_in_at, 1, 10);
	UPDATE customer_last_visit SET last_at = (
		SELECT s.checked_in_at FROM visits s WHERE s.customer_id = old.customer_id AND s.checked_in_at IS NOT NULL AND s.status = 'done' AND s.deleted_at IS NULL
		ORDER BY s.checked_in_at DESC LIMIT 1)
	WHERE customer_id = old.customer_id AND last_at = old.checked_in_at;
	DELETE FROM customer_last_visit WHERE customer_id = old.customer_id AND last_at IS NULL;
END;
--> statement-breakpoint
CREATE TRIGGER `visits_rollup_au_out` AFTER UPDATE OF status, deleted_at, checked_in_at, customer_id, village_id, grid_id ON `visits`
WHEN old.status = 'done' AND old.deleted_at IS NULL AND old.checked_in_at IS NOT NULL
	AND NOT (new.status = 'done' AND new.deleted_at IS NULL AND new.checked_in_at IS NOT NULL AND new.checked_in_at = old.checked_in_at
		AND new.customer_id IS old.customer_id AND new.village_id IS old.village_id AND new.grid_id IS old.grid_id) BEGIN
	UPDATE visit_rollup SET n = n - 1, last_at = CASE WHEN last_at = old.checked_in_at THEN coalesce((
		SELECT max(s.checked_in_at) FROM visits s LEFT JOIN key_customers k ON k.id = s.customer_id
		WHERE s.status = 'done' AND s.deleted_at IS NULL AND s.checked_in_at >= visit_rollup.day AND s.checked_in_at < visit_rollup.day || 'U'
			AND (s.grid_id = visit_rollup.unit_id OR coalesce(s.village_id, k.village_id) = visit_rollup.unit_id)), last_at) ELSE last_at END
	WHERE day = substr(old.checked_in_at, 1, 10) AND unit_id IN (coalesce(old.village_id, (SELECT village_id FROM key_customers WHERE id = old.customer_id)), old.grid_id);
	DELETE FROM visit_rollup WHERE n <= 0 AND day = substr(old.checked_in_at, 1, 10);
	UPDATE customer_last_visit SET last_at = (
		SELECT s.checked_in_at FROM visits s WHERE s.customer_id = old.customer_id AND s.checked_in_at IS NOT NULL AND s.status = 'done' AND s.deleted_at IS NULL
		ORDER BY s.checked_in_at DESC LIMIT 1)
	WHERE customer_id = old.customer_id AND last_at = old.checked_in_at;
	DELETE FROM customer_last_visit WHERE customer_id = old.customer_id AND last_at IS NULL;
END;
--> statement-breakpoint
CREATE TRIGGER `visits_rollup_au_in` AFTER UPDATE OF status, deleted_at, checked_in_at, customer_id, village_id, grid_id ON `visits`
WHEN new.status = 'done' AND new.deleted_at IS NULL AND new.checked_in_at IS NOT NULL
	AND NOT (old.status = 'done' AND old.deleted_at IS NULL AND old.checked_in_at IS NOT NULL AND new.checked_in_at = old.checked_in_at
		AND new.customer_id IS old.customer_id AND new.village_id IS old.village_id AND new.grid_id IS old.grid_id) BEGIN
	INSERT INTO visit_rollup (unit_id, day, n, last_at)
	SELECT u.id, substr(new.checked_in_at, 1, 10), 1, new.checked_in_at
	FROM (SELECT coalesce(new.village_id, (SELECT village_id FROM key_customers WHERE id = new.customer_id)) AS id UNION ALL SELECT new.grid_id) u
	WHERE u.id IS NOT NULL
	ON CONFLICT (unit_id, day) DO UPDATE SET n = n + 1, last_at = max(last_at, excluded.last_at);
	INSERT INTO customer_last_visit (customer_id, last_at) SELECT new.customer_id, new.checked_in_at WHERE new.customer_id IS NOT NULL
	ON CONFLICT (customer_id) DO UPDATE SET last_at = max(coalesce(last_at, ''), excluded.last_at);
END;
--> statement-breakpoint
-- A customer moved to another village takes their visits without a village of their own along.
CREATE TRIGGER `key_customers_rollup_village` AFTER UPDATE OF village_id ON `key_customers`
WHEN old.village_id IS NOT new.village_id BEGIN
	INSERT INTO visit_rollup (unit_id, day, n, last_at)
	SELECT new.village_id, substr(s.checked_in_at, 1, 10), count(*), max(s.checked_in_at) FROM visits s
	WHERE new.village_id IS NOT NULL AND s.customer_id = new.id AND s.village_id IS NULL AND s.status = 'done' AND s.deleted_at IS NULL AND s.checked_in_at IS NOT NULL
	GROUP BY 2
	ON CONFLICT (unit_id, day) DO UPDATE SET n = n + excluded.n, last_at = max(last_at, excluded.last_at);
	UPDATE visit_rollup SET n = n - (
		SELECT count(*) FROM visits s WHERE s.customer_id = new.id AND s.village_id IS NULL AND s.status = 'done' AND s.deleted_at IS NULL
			AND s.checked_in_at >= visit_rollup.day AND s.checked_in_at < visit_rollup.day || 'U'),
		last_at = coalesce((
		SELECT max(s.checked_in_at) FROM visits s LEFT JOIN key_customers k ON k.id = s.customer_id
		WHERE s.status = 'done' AND s.deleted_at IS NULL AND s.checked_in_at >= visit_rollup.day AND s.checked_in_at < visit_rollup.day || 'U'
			AND coalesce(s.village_id, k.village_id) = visit_rollup.unit_id), last_at)
	WHERE unit_id = old.village_id AND day IN (
		SELECT substr(s.checked_in_at, 1, 10) FROM visits s
		WHERE s.customer_id = new.id AND s.village_id IS NULL AND s.status = 'done' AND s.deleted_at IS NULL AND s.checked_in_at IS NOT NULL);
	DELETE FROM visit_rollup WHERE unit_id = old.village_id AND n <= 0;
END;
