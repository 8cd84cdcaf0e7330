-- Place search: one table of search keys per live village and org unit (county, center, grid,
-- micro-grid): name, full pinyin, pinyin initials, code. B-tree indexes answer short (1–2
-- character) prefix queries, an external-content FTS5 trigram index substrings of 3+ characters,
-- as customer_search does for key customers (0004). Triggers keep it in step with EVERY write of
-- villages and org_units (handlers, demo bulk load, sync pull, imports).
CREATE TABLE `place_search` (
	`rid` integer PRIMARY KEY,
	`kind` text NOT NULL,
	`ref_id` text NOT NULL UNIQUE,
	`name` text NOT NULL,
	`pinyin` text NOT NULL,
	`initials` text NOT NULL,
	`code` text NOT NULL
);
--> statement-breakpoint
CREATE INDEX `place_search_name_idx` ON `place_search` (`name`);
--> statement-breakpoint
CREATE INDEX `place_search_pinyin_idx` ON `place_search` (`pinyin`);
--> statement-breakpoint
CREATE INDEX `place_search_initials_idx` ON `place_search` (`initials`);
--> statement-breakpoint
CREATE INDEX `place_search_code_idx` ON `place_search` (`code`);
--> statement-breakpoint
CREATE VIRTUAL TABLE `place_search_fts` USING fts5(
	name, pinyin, initials, code,
	content='place_search', content_rowid='rid', tokenize='trigram'
);
--> statement-breakpoint
CREATE TRIGGER `place_search_fts_ai` AFTER INSERT ON `place_search` BEGIN
	INSERT INTO place_search_fts (rowid, name, pinyin, initials, code) VALUES (new.rid, new.name, new.pinyin, new.initials, new.code);
END;
--> statement-breakpoint
CREATE TRIGGER `place_search_fts_ad` AFTER DELETE ON `place_search` BEGIN
	INSERT INTO place_search_fts (place_search_fts, rowid, name, pinyin, initials, code) VALUES ('delete', old.rid, old.name, old.pinyin, old.initials, old.code);
END;
--> statement-breakpoint
CREATE TRIGGER `place_search_fts_au` AFTER UPDATE ON `place_search` BEGIN
	INSERT INTO place_search_fts (place_search_fts, rowid, name, pinyin, initials, code) VALUES ('delete', old.rid, old.name, old.pinyin, old.initials, old.code);
	INSERT INTO place_search_fts (rowid, name, pinyin, initials, code) VALUES (new.rid, new.name, new.pinyin, new.initials, new.code);
END;
--> statement-breakpoint
CREATE TRIGGER `villages_place_search_ai` AFTER INSERT ON `villages` WHEN new.deleted_at IS NULL BEGIN
	INSERT INTO place_search (kind, ref_id, name, pinyin, initials, code)
	VALUES ('village', new.id, new.name, pinyin_key(new.name, 'full'), pinyin_key(new.name, 'initials'), new.division_code);
END;
--> statement-breakpoint
CREATE TRIGGER `villages_place_search_au` AFTER UPDATE OF name, division_code, deleted_at ON `villages` BEGIN
	DELETE FROM place_search WHERE ref_id = old.id;
	INSERT INTO place_search (kind, ref_id, name, pinyin, initials, code)
	SELECT 'village', new.id, new.name, pinyin_key(new.name, 'full'), pinyin_key(new.name, 'initials'), new.division_code
	WHERE new.deleted_at IS NULL;
END;
--> statement-breakpoint
CREATE TRIGGER `villages_place_search_ad` AFTER DELETE ON `villages` BEGIN
	DELETE FROM place_search WHERE ref_id = old.id;
END;
--> statement-breakpoint
CREATE TRIGGER `org_units_place_search_ai` AFTER INSERT ON `org_units` WHEN new.deleted_at IS NULL BEGIN
	INSERT INTO place_search (kind, ref_id, name, pinyin, initials, code)
	VALUES (new.level, new.id, new.name, pinyin_key(new.name, 'full'), pinyin_key(new.name, 'initials'), new.code);
END;
--> statement-breakpoint
CREATE TRIGGER `org_units_place_search_au` AFTER UPDATE OF name, code, level, deleted_at ON `org_units` BEGIN
	DELETE FROM place_search WHERE ref_id = old.id;
	INSERT INTO place_search (kind, ref_id, name, pinyin, initials, code)
	SELECT new.level, new.id, new.name, pinyin_key(new.name, 'full'), pinyin_key(new.name, 'initials'), new.code
	WHERE new.deleted_at IS NULL;
END;
--> statement-breakpoint
CREATE TRIGGER `org_units_place_search_ad` AFTER DELETE ON `org_units` BEGIN
	DELETE FROM place_search WHERE ref_id = old.id;
END;
--> statement-breakpoint
INSERT INTO place_search (kind, ref_id, name, pinyin, initials, code)
SELECT 'village', id, name, pinyin_key(name, 'full'), pinyin_key(name, 'initials'), division_code FROM villages WHERE deleted_at IS NULL;
--> statement-breakpoint
INSERT INTO place_search (kind, ref_id, name, pinyin, initials, code)
SELECT level, id, name, pinyin_key(name, 'full'), pinyin_key(name, 'initials'), code FROM org_units WHERE deleted_at IS NULL;
