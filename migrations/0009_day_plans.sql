CREATE TABLE `day_plans` (
	`id` text PRIMARY KEY NOT NULL,
	`created_at` text NOT NULL,
	`updated_at` text NOT NULL,
	`deleted_at` text,
	`hlc` text NOT NULL,
	`grid_id` text NOT NULL,
	`plan_date` text NOT NULL,
	`targets` text NOT NULL,
	`start_lon` real,
	`start_lat` real,
	`start_name` text,
	`by_user_id` text,
	FOREIGN KEY (`grid_id`) REFERENCES `org_units`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `day_plans_grid_date_idx` ON `day_plans` (`grid_id`,`plan_date`) WHERE deleted_at IS NULL;