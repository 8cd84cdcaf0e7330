CREATE TABLE "region_checksums" (
	"region_key" text PRIMARY KEY NOT NULL,
	"row_count" bigint DEFAULT 0 NOT NULL,
	"hash" bigint DEFAULT 0 NOT NULL
);
--> statement-breakpoint
ALTER TABLE "rows" ADD COLUMN "writer_device" text;--> statement-breakpoint
-- The checkpoint hash of one row: first 64 bits of md5(table:row:version), as in the protocol.
CREATE FUNCTION "row_checksum"(t text, id text, v text) RETURNS bigint LANGUAGE sql IMMUTABLE PARALLEL SAFE AS
$$ SELECT ('x' || substr(md5(t || ':' || id || ':' || v), 1, 16))::bit(64)::bigint $$;
--> statement-breakpoint
-- Statement triggers with transition tables: one aggregate update per region per statement,
-- so a 200k-row master import costs a few grouped queries, not 200k updates of one row.
CREATE FUNCTION "region_checksums_apply"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'UPDATE' OR TG_OP = 'DELETE' THEN
    INSERT INTO region_checksums AS c (region_key, row_count, hash)
      SELECT coalesce(o.region, '(global)'), -count(*), bit_xor(row_checksum(o.table_name, o.row_id, o.version)) FROM old_rows o GROUP BY 1
      ON CONFLICT (region_key) DO UPDATE SET row_count = c.row_count + excluded.row_count, hash = c.hash # excluded.hash;
  END IF;
  IF TG_OP = 'UPDATE' OR TG_OP = 'INSERT' THEN
    INSERT INTO region_checksums AS c (region_key, row_count, hash)
      SELECT coalesce(n.region, '(global)'), count(*), bit_xor(row_checksum(n.table_name, n.row_id, n.version)) FROM new_rows n GROUP BY 1
      ON CONFLICT (region_key) DO UPDATE SET row_count = c.row_count + excluded.row_count, hash = c.hash # excluded.hash;
  END IF;
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE TRIGGER "rows_checksum_insert" AFTER INSERT ON "rows" REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION region_checksums_apply();
--> statement-breakpoint
CREATE TRIGGER "rows_checksum_update" AFTER UPDATE ON "rows" REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION region_checksums_apply();
--> statement-breakpoint
CREATE TRIGGER "rows_checksum_delete" AFTER DELETE ON "rows" REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION region_checksums_apply();
--> statement-breakpoint
CREATE FUNCTION "region_checksums_truncate"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM region_checksums;
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE TRIGGER "rows_checksum_truncate" AFTER TRUNCATE ON "rows" FOR EACH STATEMENT EXECUTE FUNCTION region_checksums_truncate();
--> statement-breakpoint
-- Rows written before this migration.
INSERT INTO region_checksums (region_key, row_count, hash)
  SELECT coalesce(region, '(global)'), count(*), bit_xor(row_checksum(table_name, row_id, version)) FROM rows GROUP BY 1;
