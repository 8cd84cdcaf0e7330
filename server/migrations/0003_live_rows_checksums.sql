-- Checkpoints count live rows only: a tombstone has no version in them. Purging tombstones older
-- than the retention then changes no region's checksum, and no device that held them refetches.
CREATE OR REPLACE FUNCTION "region_checksums_apply"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'UPDATE' OR TG_OP = 'DELETE' THEN
    INSERT INTO region_checksums AS c (region_key, row_count, hash)
      SELECT coalesce(o.region, '(global)'), -count(*), bit_xor(row_checksum(o.table_name, o.row_id, o.version)) FROM old_rows o WHERE NOT o.deleted GROUP BY 1
      ON CONFLICT (region_key) DO UPDATE SET row_count = c.row_count + excluded.row_count, hash = c.hash # excluded.hash;
  END IF;
  IF TG_OP = 'UPDATE' OR TG_OP = 'INSERT' THEN
    INSERT INTO region_checksums AS c (region_key, row_count, hash)
      SELECT coalesce(n.region, '(global)'), count(*), bit_xor(row_checksum(n.table_name, n.row_id, n.version)) FROM new_rows n WHERE NOT n.deleted GROUP BY 1
      ON CONFLICT (region_key) DO UPDATE SET row_count = c.row_count + excluded.row_count, hash = c.hash # excluded.hash;
  END IF;
  RETURN NULL;
END $$;
--> statement-breakpoint
DELETE FROM region_checksums;
--> statement-breakpoint
INSERT INTO region_checksums (region_key, row_count, hash)
  SELECT coalesce(region, '(global)'), count(*), bit_xor(row_checksum(table_name, row_id, version)) FROM rows WHERE NOT deleted GROUP BY 1;
