-- Short Han queries without a scan: the names of place_search (0007) and customer_search (0004)
-- character by character (name_chars(): "南立村" → "南 立 村", an application function registered
-- on each connection in electron/core/db/client.ts) in contentless FTS5 tables with the unicode61
-- tokenizer, so "南立" or "立村" is a phrase query. Queries of 3+ characters keep the trigram index.
-- Triggers keep both in step with their search table, which triggers keep in step with the data.
CREATE VIRTUAL TABLE `place_chars_fts` USING fts5(chars, content='', tokenize='unicode61');
--> statement-breakpoint
CREATE TRIGGER `place_chars_ai` AFTER INSERT ON `place_search` BEGIN
	INSERT INTO place_chars_fts (rowid, chars) VALUES (new.rid, name_chars(new.name));
END;
--> statement-breakpoint
CREATE TRIGGER `place_chars_ad` AFTER DELETE ON `place_search` BEGIN
	INSERT INTO place_chars_fts (place_chars_fts, rowid, chars) VALUES ('delete', old.rid, name_chars(old.name));
END;
--> statement-breakpoint
CREATE TRIGGER `place_chars_au` AFTER UPDATE OF name ON `place_search` BEGIN
	INSERT INTO place_chars_fts (place_chars_fts, rowid, chars) VALUES ('delete', old.rid, name_chars(old.name));
	INSERT INTO place_chars_fts (rowid, chars) VALUES (new.rid, name_chars(new.name));
END;
--> statement-breakpoint
INSERT INTO place_chars_fts (rowid, chars) SELECT rid, name_chars(name) FROM place_search;
--> statement-breakpoint
CREATE VIRTUAL TABLE `customer_chars_fts` USING fts5(chars, content='', tokenize='unicode61');
--> statement-breakpoint
CREATE TRIGGER `customer_chars_ai` AFTER INSERT ON `customer_search` BEGIN
	INSERT INTO customer_chars_fts (rowid, chars) VALUES (new.rid, name_chars(new.name));
END;
--> statement-breakpoint
CREATE TRIGGER `customer_chars_ad` AFTER DELETE ON `customer_search` BEGIN
	INSERT INTO customer_chars_fts (customer_chars_fts, rowid, chars) VALUES ('delete', old.rid, name_chars(old.name));
END;
--> statement-breakpoint
CREATE TRIGGER `customer_chars_au` AFTER UPDATE OF name ON `customer_search` BEGIN
	INSERT INTO customer_chars_fts (customer_chars_fts, rowid, chars) VALUES ('delete', old.rid, name_chars(old.name));
	INSERT INTO customer_chars_fts (rowid, chars) VALUES (new.rid, name_chars(new.name));
END;
--> statement-breakpoint
INSERT INTO customer_chars_fts (rowid, chars) SELECT rid, name_chars(name) FROM customer_search;
