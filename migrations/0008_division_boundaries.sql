ALTER TABLE `divisions` ADD `boundary` text;--> statement-breakpoint
ALTER TABLE `divisions` ADD `geometry_source` text;