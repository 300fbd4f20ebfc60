CREATE TABLE `badge_prints` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`participation_id` integer NOT NULL,
	`session_id` integer NOT NULL,
	`at` integer NOT NULL,
	`desk_id` text NOT NULL,
	`desk_name` text NOT NULL,
	`layout` text NOT NULL
);
--> statement-breakpoint
CREATE INDEX `badge_prints_person` ON `badge_prints` (`participation_id`,`session_id`,`at`);--> statement-breakpoint
CREATE INDEX `badge_prints_session` ON `badge_prints` (`session_id`);--> statement-breakpoint
CREATE TABLE `printed_sheets` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`session_id` integer NOT NULL,
	`at` integer NOT NULL,
	`desk_id` text NOT NULL,
	`rows` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `printed_sheets_session` ON `printed_sheets` (`session_id`,`at`);--> statement-breakpoint
CREATE TABLE `session_badges` (
	`session_id` integer PRIMARY KEY NOT NULL,
	`print_on_check_in` integer DEFAULT false NOT NULL,
	`layout` text NOT NULL,
	`field` text NOT NULL
);
