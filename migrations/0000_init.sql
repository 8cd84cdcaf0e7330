CREATE TABLE `actuals` (
	`id` text PRIMARY KEY NOT NULL,
	`created_at` text NOT NULL,
	`updated_at` text NOT NULL,
	`deleted_at` text,
	`hlc` text NOT NULL,
	`indicator_code` text NOT NULL,
	`org_unit_id` text NOT NULL,
	`period` text NOT NULL,
	`value` real NOT NULL,
	`as_of` text NOT NULL,
	`source` text NOT NULL,
	FOREIGN KEY (`org_unit_id`) REFERENCES `org_units`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `actuals_lookup_idx` ON `actuals` (`indicator_code`,`org_unit_id`,`period`,`as_of`);--> statement-breakpoint
CREATE TABLE `attachments` (
	`id` text PRIMARY KEY NOT NULL,
	`created_at` text NOT NULL,
	`updated_at` text NOT NULL,
	`deleted_at` text,
	`hlc` text NOT NULL,
	`owner_table` text NOT NULL,
	`owner_id` text NOT NULL,
	`file_name` text NOT NULL,
	`sha256` text NOT NULL,
	`mime` text NOT NULL,
	`bytes` integer NOT NULL,
	`thumb_sha256` text
);
--> statement-breakpoint
CREATE INDEX `attachments_owner_idx` ON `attachments` (`owner_table`,`owner_id`);--> statement-breakpoint
CREATE TABLE `competitor_intel` (
	`id` text PRIMARY KEY NOT NULL,
	`created_at` text NOT NULL,
	`updated_at` text NOT NULL,
	`deleted_at` text,
	`hlc` text NOT NULL,
	`rival` text NOT NULL,
	`kind` text NOT NULL,
	`title` text NOT NULL,
	`description` text,
	`village_id` text,
	`grid_id` text,
	`lon` real,
	`lat` real,
	`seen_at` text NOT NULL,
	`valid_from` text,
	`valid_to` text,
	`source` text,
	`reliability` integer,
	`monthly_fee` real,
	`data_gb` real,
	`voice_minutes` integer,
	`broadband_mbps` integer,
	`contract_months` integer,
	`device_subsidy` real,
	`threat_level` integer,
	`suggested_response` text,
	`from_visit_id` text,
	`created_by` text,
	FOREIGN KEY (`village_id`) REFERENCES `villages`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`grid_id`) REFERENCES `org_units`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `competitor_intel_grid_idx` ON `competitor_intel` (`grid_id`);--> statement-breakpoint
CREATE TABLE `customer_products` (
	`id` text PRIMARY KEY NOT NULL,
	`created_at` text NOT NULL,
	`updated_at` text NOT NULL,
	`deleted_at` text,
	`hlc` text NOT NULL,
	`customer_id` text NOT NULL,
	`product_kind` text NOT NULL,
	`product_name` text NOT NULL,
	`since` text,
	`expiry` text,
	FOREIGN KEY (`customer_id`) REFERENCES `key_customers`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `customer_products_customer_idx` ON `customer_products` (`customer_id`);--> statement-breakpoint
CREATE TABLE `divisions` (
	`code` text PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`level` text NOT NULL,
	`parent_code` text,
	`source` text NOT NULL
);
--> statement-breakpoint
CREATE INDEX `divisions_parent_idx` ON `divisions` (`parent_code`);--> statement-breakpoint
CREATE TABLE `field_versions` (
	`table_name` text NOT NULL,
	`row_id` text NOT NULL,
	`field` text NOT NULL,
	`hlc` text NOT NULL,
	PRIMARY KEY(`table_name`, `row_id`, `field`)
);
--> statement-breakpoint
CREATE TABLE `funnel_moves` (
	`id` text PRIMARY KEY NOT NULL,
	`created_at` text NOT NULL,
	`updated_at` text NOT NULL,
	`deleted_at` text,
	`hlc` text NOT NULL,
	`customer_id` text NOT NULL,
	`from_stage` text,
	`to_stage` text NOT NULL,
	`moved_at` text NOT NULL,
	`by_user_id` text,
	FOREIGN KEY (`customer_id`) REFERENCES `key_customers`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `funnel_moves_customer_idx` ON `funnel_moves` (`customer_id`);--> statement-breakpoint
CREATE TABLE `indicators` (
	`id` text PRIMARY KEY NOT NULL,
	`created_at` text NOT NULL,
	`updated_at` text NOT NULL,
	`deleted_at` text,
	`hlc` text NOT NULL,
	`code` text NOT NULL,
	`name_zh` text NOT NULL,
	`name_en` text NOT NULL,
	`unit` text NOT NULL,
	`direction` text NOT NULL,
	`yellow_below_pp` real NOT NULL,
	`red_below_pp` real NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `indicators_code_unique` ON `indicators` (`code`);--> statement-breakpoint
CREATE TABLE `key_customers` (
	`id` text PRIMARY KEY NOT NULL,
	`created_at` text NOT NULL,
	`updated_at` text NOT NULL,
	`deleted_at` text,
	`hlc` text NOT NULL,
	`name` text NOT NULL,
	`category` text NOT NULL,
	`role` text,
	`organisation` text,
	`village_id` text,
	`grid_id` text,
	`phone` text,
	`influence` integer,
	`value_tier` text,
	`tier_override` text,
	`monthly_revenue` real,
	`contract_expiry` text,
	`rival_used` text,
	`funnel_stage` text NOT NULL,
	`owner_user_id` text,
	`next_follow_up` text,
	`tags` text,
	`notes` text,
	`lon` real,
	`lat` real,
	`geometry_source` text,
	FOREIGN KEY (`village_id`) REFERENCES `villages`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`grid_id`) REFERENCES `org_units`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`owner_user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `key_customers_grid_idx` ON `key_customers` (`grid_id`);--> statement-breakpoint
CREATE INDEX `key_customers_village_idx` ON `key_customers` (`village_id`);--> statement-breakpoint
CREATE TABLE `objections` (
	`id` text PRIMARY KEY NOT NULL,
	`created_at` text NOT NULL,
	`updated_at` text NOT NULL,
	`deleted_at` text,
	`hlc` text NOT NULL,
	`code` text NOT NULL,
	`name_zh` text NOT NULL,
	`name_en` text NOT NULL,
	`suggested_answer` text
);
--> statement-breakpoint
CREATE UNIQUE INDEX `objections_code_unique` ON `objections` (`code`);--> statement-breakpoint
CREATE TABLE `org_units` (
	`id` text PRIMARY KEY NOT NULL,
	`created_at` text NOT NULL,
	`updated_at` text NOT NULL,
	`deleted_at` text,
	`hlc` text NOT NULL,
	`code` text NOT NULL,
	`name` text NOT NULL,
	`level` text NOT NULL,
	`parent_id` text,
	`grid_kind` text,
	`division_code` text,
	`manager_user_id` text,
	`boundary` text,
	`geometry_source` text,
	`source_crs` text,
	`households` integer,
	`population` integer,
	FOREIGN KEY (`division_code`) REFERENCES `divisions`(`code`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `org_units_code_uq` ON `org_units` (`code`);--> statement-breakpoint
CREATE INDEX `org_units_parent_idx` ON `org_units` (`parent_id`);--> statement-breakpoint
CREATE TABLE `outbox` (
	`device_seq` integer PRIMARY KEY NOT NULL,
	`change_id` text NOT NULL,
	`device_id` text NOT NULL,
	`hlc` text NOT NULL,
	`table_name` text NOT NULL,
	`row_id` text NOT NULL,
	`op` text NOT NULL,
	`fields` text NOT NULL,
	`base` text NOT NULL,
	`schema_version` integer NOT NULL,
	`created_at` text NOT NULL,
	`pushed_at` text,
	`result` text,
	`result_reason` text
);
--> statement-breakpoint
CREATE UNIQUE INDEX `outbox_change_id_unique` ON `outbox` (`change_id`);--> statement-breakpoint
CREATE INDEX `outbox_pending_idx` ON `outbox` (`pushed_at`,`device_seq`);--> statement-breakpoint
CREATE TABLE `sync_conflicts` (
	`id` text PRIMARY KEY NOT NULL,
	`table_name` text NOT NULL,
	`row_id` text NOT NULL,
	`field` text NOT NULL,
	`mine` text,
	`theirs` text,
	`mine_hlc` text,
	`theirs_hlc` text,
	`detected_at` text NOT NULL,
	`resolved_at` text,
	`resolution` text
);
--> statement-breakpoint
CREATE INDEX `sync_conflicts_open_idx` ON `sync_conflicts` (`resolved_at`);--> statement-breakpoint
CREATE TABLE `sync_state` (
	`key` text PRIMARY KEY NOT NULL,
	`value` text NOT NULL,
	`updated_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')) NOT NULL
);
--> statement-breakpoint
CREATE TABLE `targets` (
	`id` text PRIMARY KEY NOT NULL,
	`created_at` text NOT NULL,
	`updated_at` text NOT NULL,
	`deleted_at` text,
	`hlc` text NOT NULL,
	`indicator_code` text NOT NULL,
	`org_unit_id` text NOT NULL,
	`period` text NOT NULL,
	`value` real NOT NULL,
	`split_method` text,
	FOREIGN KEY (`org_unit_id`) REFERENCES `org_units`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `targets_uq` ON `targets` (`indicator_code`,`org_unit_id`,`period`);--> statement-breakpoint
CREATE TABLE `user_regions` (
	`user_id` text NOT NULL,
	`org_unit_id` text NOT NULL,
	`role` text NOT NULL,
	PRIMARY KEY(`user_id`, `org_unit_id`),
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`org_unit_id`) REFERENCES `org_units`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE TABLE `users` (
	`id` text PRIMARY KEY NOT NULL,
	`created_at` text NOT NULL,
	`updated_at` text NOT NULL,
	`deleted_at` text,
	`hlc` text NOT NULL,
	`name` text NOT NULL,
	`role` text NOT NULL,
	`phone` text,
	`org_unit_id` text,
	FOREIGN KEY (`org_unit_id`) REFERENCES `org_units`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE TABLE `villages` (
	`id` text PRIMARY KEY NOT NULL,
	`created_at` text NOT NULL,
	`updated_at` text NOT NULL,
	`deleted_at` text,
	`hlc` text NOT NULL,
	`division_code` text NOT NULL,
	`name` text NOT NULL,
	`township_code` text,
	`kind` text NOT NULL,
	`grid_id` text,
	`micro_grid_id` text,
	`lon` real,
	`lat` real,
	`boundary` text,
	`geometry_source` text,
	`source_crs` text,
	`population` integer,
	`households` integer,
	`age_under_18_pct` real,
	`age_18_to_60_pct` real,
	`age_over_60_pct` real,
	`migrant_away_pct` real,
	`main_economy` text,
	`market_days` text,
	`festivals` text,
	`education_level` text,
	`fibre_covered` integer,
	`our_ports` integer,
	`rival_ports` text,
	`signal_4g` text,
	`signal_5g` text,
	`our_mobile_subs` integer,
	`our_broadband_subs` integer,
	`penetration_pct` real,
	`share_vs_rivals` text,
	`key_persons` text,
	`notes` text,
	FOREIGN KEY (`grid_id`) REFERENCES `org_units`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`micro_grid_id`) REFERENCES `org_units`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `villages_division_code_uq` ON `villages` (`division_code`);--> statement-breakpoint
CREATE INDEX `villages_grid_idx` ON `villages` (`grid_id`);--> statement-breakpoint
CREATE TABLE `visit_objections` (
	`id` text PRIMARY KEY NOT NULL,
	`created_at` text NOT NULL,
	`updated_at` text NOT NULL,
	`deleted_at` text,
	`hlc` text NOT NULL,
	`visit_id` text NOT NULL,
	`objection_code` text NOT NULL,
	`detail` text,
	`answer` text,
	`answer_worked` integer,
	FOREIGN KEY (`visit_id`) REFERENCES `visits`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `visit_objections_visit_idx` ON `visit_objections` (`visit_id`);--> statement-breakpoint
CREATE TABLE `visit_participants` (
	`id` text PRIMARY KEY NOT NULL,
	`created_at` text NOT NULL,
	`updated_at` text NOT NULL,
	`deleted_at` text,
	`hlc` text NOT NULL,
	`visit_id` text NOT NULL,
	`user_id` text,
	`name` text NOT NULL,
	`role` text NOT NULL,
	FOREIGN KEY (`visit_id`) REFERENCES `visits`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `visit_participants_visit_idx` ON `visit_participants` (`visit_id`);--> statement-breakpoint
CREATE TABLE `visit_products` (
	`id` text PRIMARY KEY NOT NULL,
	`created_at` text NOT NULL,
	`updated_at` text NOT NULL,
	`deleted_at` text,
	`hlc` text NOT NULL,
	`visit_id` text NOT NULL,
	`product` text NOT NULL,
	`outcome` text NOT NULL,
	`quantity` integer,
	FOREIGN KEY (`visit_id`) REFERENCES `visits`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `visit_products_visit_idx` ON `visit_products` (`visit_id`);--> statement-breakpoint
CREATE TABLE `visits` (
	`id` text PRIMARY KEY NOT NULL,
	`created_at` text NOT NULL,
	`updated_at` text NOT NULL,
	`deleted_at` text,
	`hlc` text NOT NULL,
	`status` text NOT NULL,
	`target_kind` text NOT NULL,
	`village_id` text,
	`customer_id` text,
	`grid_id` text,
	`planned_for` text,
	`checked_in_at` text,
	`check_in_lon` real,
	`check_in_lat` real,
	`check_in_source` text,
	`purpose` text,
	`outcome` text,
	`next_action` text,
	`next_action_due` text,
	`by_user_id` text,
	FOREIGN KEY (`village_id`) REFERENCES `villages`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`customer_id`) REFERENCES `key_customers`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`grid_id`) REFERENCES `org_units`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `visits_customer_idx` ON `visits` (`customer_id`,`checked_in_at`);--> statement-breakpoint
CREATE INDEX `visits_grid_idx` ON `visits` (`grid_id`,`checked_in_at`);--> statement-breakpoint
CREATE TABLE `work_orders` (
	`id` text PRIMARY KEY NOT NULL,
	`created_at` text NOT NULL,
	`updated_at` text NOT NULL,
	`deleted_at` text,
	`hlc` text NOT NULL,
	`title` text NOT NULL,
	`description` text,
	`org_unit_id` text,
	`customer_id` text,
	`visit_id` text,
	`origin` text NOT NULL,
	`assignee_user_id` text,
	`due_at` text NOT NULL,
	`sla_hours` integer,
	`status` text NOT NULL,
	`closed_at` text,
	FOREIGN KEY (`org_unit_id`) REFERENCES `org_units`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`customer_id`) REFERENCES `key_customers`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`visit_id`) REFERENCES `visits`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`assignee_user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `work_orders_due_idx` ON `work_orders` (`status`,`due_at`);