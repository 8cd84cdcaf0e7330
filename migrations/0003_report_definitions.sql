CREATE TABLE `report_definitions` (
	`id` text PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`region_code` text NOT NULL,
	`period_rule` text NOT NULL,
	`formats` text NOT NULL,
	`folder` text NOT NULL,
	`csv_encoding` text NOT NULL,
	`lang` text NOT NULL,
	`created_at` text NOT NULL,
	`updated_at` text NOT NULL,
	`last_run_at` text
);
--> statement-breakpoint
CREATE UNIQUE INDEX `report_definitions_name_unique` ON `report_definitions` (`name`);