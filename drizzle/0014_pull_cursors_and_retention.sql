CREATE TABLE `pull_cursors` (
	`provider` text NOT NULL,
	`session_id` integer NOT NULL,
	`token` text NOT NULL,
	`rows` integer NOT NULL,
	`started_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	PRIMARY KEY(`provider`, `session_id`),
	FOREIGN KEY (`session_id`) REFERENCES `sessions`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `outbox_session` ON `outbox` (`session_id`,`state`);--> statement-breakpoint
CREATE INDEX `outbox_unsent` ON `outbox` (`provider`,`seq`) WHERE "outbox"."state" IN ('pending', 'in_flight');
