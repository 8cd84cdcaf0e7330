-- Protocol 2 sends a row's field versions as [the version most of its fields carry, the fields
-- whose version differs]: computed here once per write instead of per pull and device.
-- Ties go to the greatest version, as shared/sync/protocol.ts splitVersions does.
CREATE FUNCTION "pack_versions"(v jsonb) RETURNS jsonb LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  WITH base AS (SELECT value FROM jsonb_each_text(v) GROUP BY value ORDER BY count(*) DESC, value DESC LIMIT 1)
  SELECT jsonb_build_array(
    (SELECT value FROM base),
    coalesce((SELECT jsonb_object_agg(key, value) FROM jsonb_each_text(v) WHERE value <> (SELECT value FROM base)), '{}'::jsonb))
$$;
--> statement-breakpoint
ALTER TABLE "rows" ADD COLUMN "packed_versions" jsonb GENERATED ALWAYS AS (pack_versions(versions)) STORED;
