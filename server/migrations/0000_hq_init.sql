CREATE SEQUENCE "public"."server_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1;--> statement-breakpoint
CREATE TABLE "changes_log" (
	"device_id" text NOT NULL,
	"device_seq" bigint NOT NULL,
	"change_id" text NOT NULL,
	"table_name" text NOT NULL,
	"row_id" text NOT NULL,
	"hlc" text NOT NULL,
	"op" text NOT NULL,
	"fields" jsonb NOT NULL,
	"base" jsonb NOT NULL,
	"schema_version" integer NOT NULL,
	"result" jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "changes_log_device_id_device_seq_pk" PRIMARY KEY("device_id","device_seq")
);
--> statement-breakpoint
CREATE TABLE "conflicts" (
	"id" text PRIMARY KEY NOT NULL,
	"table_name" text NOT NULL,
	"row_id" text NOT NULL,
	"field" text NOT NULL,
	"server_value" jsonb,
	"server_hlc" text,
	"device_value" jsonb,
	"device_hlc" text NOT NULL,
	"device_id" text NOT NULL,
	"change_id" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"resolved_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "device_progress" (
	"device_id" text PRIMARY KEY NOT NULL,
	"last_device_seq" bigint DEFAULT 0 NOT NULL,
	"last_push_at" timestamp with time zone,
	"last_pull_cursor" bigint,
	"pull_scope" jsonb,
	"last_pull_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "devices" (
	"id" text PRIMARY KEY NOT NULL,
	"user_id" text NOT NULL,
	"name" text NOT NULL,
	"token_hash" text NOT NULL,
	"revoked_at" timestamp with time zone,
	"last_seen_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "devices_token_hash_unique" UNIQUE("token_hash")
);
--> statement-breakpoint
CREATE TABLE "enrol_codes" (
	"code_hash" text PRIMARY KEY NOT NULL,
	"user_id" text NOT NULL,
	"expires_at" timestamp with time zone NOT NULL,
	"used_at" timestamp with time zone,
	"used_by_device" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "rows" (
	"table_name" text NOT NULL,
	"row_id" text NOT NULL,
	"fields" jsonb NOT NULL,
	"versions" jsonb NOT NULL,
	"version" text NOT NULL,
	"region" text,
	"deleted" boolean DEFAULT false NOT NULL,
	"server_seq" bigint NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "rows_table_name_row_id_pk" PRIMARY KEY("table_name","row_id")
);
--> statement-breakpoint
CREATE TABLE "server_meta" (
	"key" text PRIMARY KEY NOT NULL,
	"value" text NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "user_regions" (
	"user_id" text NOT NULL,
	"region_code" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "user_regions_user_id_region_code_pk" PRIMARY KEY("user_id","region_code")
);
--> statement-breakpoint
CREATE TABLE "users" (
	"id" text PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"role" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "users_name_unique" UNIQUE("name")
);
--> statement-breakpoint
ALTER TABLE "devices" ADD CONSTRAINT "devices_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "enrol_codes" ADD CONSTRAINT "enrol_codes_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "user_regions" ADD CONSTRAINT "user_regions_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "changes_log_row_idx" ON "changes_log" USING btree ("table_name","row_id");--> statement-breakpoint
CREATE INDEX "conflicts_row_idx" ON "conflicts" USING btree ("table_name","row_id");--> statement-breakpoint
CREATE INDEX "rows_seq_idx" ON "rows" USING btree ("server_seq");--> statement-breakpoint
CREATE INDEX "rows_region_seq_idx" ON "rows" USING btree ("region","server_seq");