-- Customer search (issue 5): a plain table of search keys per live key customer (name, full
-- pinyin, pinyin initials, phone, organisation, village name) with B-tree indexes for short
-- (1–2 character) prefix queries, and an external-content FTS5 trigram index over it for
-- substrings of 3+ characters. Triggers keep both in step with EVERY write of key_customers
-- (handlers, demo bulk load, sync pull, imports); pinyin_key() is an application function
-- registered on each connection in electron/core/db/client.ts.
CREATE TABLE `customer_search` (
	`rid` integer PRIMARY KEY,
	`customer_id` text NOT NULL UNIQUE,
	`name` text NOT NULL,
	`pinyin` text NOT NULL,
	`initials` text NOT NULL,
	`phone` text NOT NULL,
	`organisation` text NOT NULL,
	`village` text NOT NULL
);
--> statement-breakpoint
CREATE INDEX `customer_search_name_idx` ON `customer_search` (`name`);
--> statement-breakpoint
CREATE INDEX `customer_search_pinyin_idx` ON `customer_search` (`pinyin`);
--> statement-breakpoint
CREATE INDEX `customer_search_initials_idx` ON `customer_search` (`initials`);
--> statement-breakpoint
CREATE INDEX `customer_search_phone_idx` ON `customer_search` (`phone`);
--> statement-breakpoint
CREATE INDEX `customer_search_organisation_idx` ON `customer_search` (`organisation`);
--> statement-breakpoint
CREATE INDEX `customer_search_village_idx` ON `customer_search` (`village`);
--> statement-breakpoint
CREATE VIRTUAL TABLE `customer_search_fts` USING fts5(
	name, pinyin, initials, phone, organisation, village,
	content='customer_search', content_rowid='rid', tokenize='trigram'
);
--> statement-breakpoint
CREATE TRIGGER `customer_search_fts_ai` AFTER INSERT ON `customer_search` BEGIN
	INSERT INTO customer_search_fts (rowid, name, pinyin, initials, phone, organisation, village)
	VALUES (new.rid, new.name, new.pinyin, new.initials, new.phone, new.organisation, new.village);
END;
--> statement-breakpoint
CREATE TRIGGER `customer_search_fts_ad` AFTER DELETE ON `customer_search` BEGIN
	INSERT INTO customer_search_fts (customer_search_fts, rowid, name, pinyin, initials, phone, organisation, village)
	VALUES ('delete', old.rid, old.name, old.pinyin, old.initials, old.phone, old.organisation, old.village);
END;
--> statement-breakpoint
CREATE TRIGGER `customer_search_fts_au` AFTER UPDATE ON `customer_search` BEGIN
	INSERT INTO customer_search_fts (customer_search_fts, rowid, name, pinyin, initials, phone, organisation, village)
	VALUES ('delete', old.rid, old.name, old.pinyin, old.initials, old.phone, old.organisation, old.village);
	INSERT INTO customer_search_fts (rowid, name, pinyin, initials, phone, organisation, village)
	VALUES (new.rid, new.name, new.pinyin, new.initials, new.phone, new.organisation, new.village);
END;
--> statement-breakpoint
CREATE TRIGGER `key_customers_search_ai` AFTER INSERT ON `key_customers` WHEN new.deleted_at IS NULL BEGIN
	INSERT INTO customer_search (customer_id, name, pinyin, initials, phone, organisation, village)
	VALUES (new.id, new.name, pinyin_key(new.name, 'full'), pinyin_key(new.name, 'initials'), coalesce(new.phone, ''),
		coalesce(new.organisation, ''), coalesce((SELECT name FROM villages WHERE id = new.village_id), ''));
END;
--> statement-breakpoint
CREATE TRIGGER `key_customers_search_au` AFTER UPDATE OF name, phone, organisation, village_id, deleted_at ON `key_customers` BEGIN
	DELETE FROM customer_search WHERE customer_id = old.id;
	INSERT INTO customer_search (customer_id, name, pinyin, initials, phone, organisation, village)
	SELECT new.id, new.name, pinyin_key(new.name, 'full'), pinyin_key(new.name, 'initials'), coalesce(new.phone, ''),
		coalesce(new.organisation, ''), coalesce((SELECT name FROM villages WHERE id = new.village_id), '')
	WHERE new.deleted_at IS NULL;
END;
--> statement-breakpoint
CREATE TRIGGER `key_customers_search_ad` AFTER DELETE ON `key_customers` BEGIN
	DELETE FROM customer_search WHERE customer_id = old.id;
END;
--> statement-breakpoint
CREATE TRIGGER `villages_customer_search_au` AFTER UPDATE OF name ON `villages` BEGIN
	UPDATE customer_search SET village = new.name
	WHERE customer_id IN (SELECT id FROM key_customers WHERE village_id = new.id AND deleted_at IS NULL);
END;
--> statement-breakpoint
INSERT INTO customer_search (customer_id, name, pinyin, initials, phone, organisation, village)
SELECT k.id, k.name, pinyin_key(k.name, 'full'), pinyin_key(k.name, 'initials'), coalesce(k.phone, ''),
	coalesce(k.organisation, ''), coalesce(v.name, '')
FROM key_customers k LEFT JOIN villages v ON v.id = k.village_id
WHERE k.deleted_at IS NULL;
--> statement-breakpoint
CREATE INDEX `key_customers_phone_idx` ON `key_customers` (`phone`);
--> statement-breakpoint
-- The customer list's filters and sort keys in one narrow covering index: counts and page ids are
-- answered from it without reading the (wide) rows; contract expiry leads for the "expiring" range.
CREATE INDEX `key_customers_list_idx` ON `key_customers` (`deleted_at`, `contract_expiry`, `funnel_stage`, `value_tier`, `tier_override`, `rival_used`, `category`, `grid_id`, `village_id`, `influence`, `monthly_revenue`, `next_follow_up`, `updated_at`, `name`, `tags`, `id`);
--> statement-breakpoint
CREATE INDEX `competitor_intel_village_idx` ON `competitor_intel` (`village_id`, `seen_at`);
