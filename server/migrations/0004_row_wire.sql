-- A pulled row's wire text (protocol 2: [table, id, base version, fields, other versions]) is
-- built once when the row is written, by the trigger below, instead of by every pull of every
-- device (json_build_array was most of a pull page's cost in the database). packed_versions,
-- a generated column until now, becomes a plain column the same trigger checks (a BEFORE trigger
-- cannot read a generated column's value). Neither statement rewrites the table: rows written before this
-- migration keep wire null until written again or backfilled (backfillWire in server/sync.ts);
-- a pull builds the text of those itself.
ALTER TABLE "rows" ALTER COLUMN "packed_versions" DROP EXPRESSION;--> statement-breakpoint
ALTER TABLE "rows" ADD COLUMN "wire" text;--> statement-breakpoint
CREATE FUNCTION "row_wire"(t text, id text, fields jsonb, packed jsonb) RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE AS
$$ SELECT json_build_array(t, id, packed->0, fields, nullif(packed->1, '{}'::jsonb))::text $$;
--> statement-breakpoint
-- A push sends packed_versions with the row (splitVersions, the same packing: pack_versions costs
-- ~35 µs a row, most of an insert's time); a write that does not is packed here. (Packing is
-- lossless: versions that changed while packed_versions did not means the write did not set it.)
CREATE FUNCTION "rows_wire"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.packed_versions IS NULL OR (TG_OP = 'UPDATE' AND NEW.versions IS DISTINCT FROM OLD.versions AND NEW.packed_versions IS NOT DISTINCT FROM OLD.packed_versions) THEN
    NEW.packed_versions := pack_versions(NEW.versions);
  END IF;
  NEW.wire := row_wire(NEW.table_name, NEW.row_id, NEW.fields, NEW.packed_versions);
  RETURN NEW;
END $$;
--> statement-breakpoint
CREATE TRIGGER "rows_wire" BEFORE INSERT OR UPDATE OF table_name, row_id, fields, versions ON "rows" FOR EACH ROW EXECUTE FUNCTION rows_wire();
