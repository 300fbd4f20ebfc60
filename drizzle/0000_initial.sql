CREATE TABLE `attendance` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`participation_id` integer NOT NULL,
	`session_id` integer NOT NULL,
	`status` text NOT NULL,
	`attendees` integer DEFAULT 0 NOT NULL,
	`marked_at` integer,
	`desk_id` text,
	`method` text NOT NULL,
	`undo_status` text,
	`undo_attendees` integer,
	`undo_marked_at` integer,
	`undo_desk_id` text,
	`provider_id` text,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`participation_id`) REFERENCES `participations`(`id`) ON UPDATE no action ON DELETE restrict,
	FOREIGN KEY (`session_id`) REFERENCES `sessions`(`id`) ON UPDATE no action ON DELETE restrict,
	CONSTRAINT "attendance_attendees_range" CHECK("attendance"."attendees" BETWEEN 0 AND 1000),
	CONSTRAINT "attendance_status_matches_attendees" CHECK(("attendance"."status" = 'ATTENDED' AND "attendance"."attendees" >= 1) OR ("attendance"."status" <> 'ATTENDED' AND "attendance"."attendees" = 0))
);
--> statement-breakpoint
CREATE UNIQUE INDEX `attendance_participation_session` ON `attendance` (`participation_id`,`session_id`);--> statement-breakpoint
CREATE INDEX `attendance_session_status` ON `attendance` (`session_id`,`status`);--> statement-breakpoint
CREATE TABLE `audit_log` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`at` integer NOT NULL,
	`desk_id` text NOT NULL,
	`action` text NOT NULL,
	`session_id` integer,
	`participation_id` integer,
	`op_id` text,
	`details` text
);
--> statement-breakpoint
CREATE INDEX `audit_session_at` ON `audit_log` (`session_id`,`at`);--> statement-breakpoint
CREATE TABLE `desk_meta` (
	`key` text PRIMARY KEY NOT NULL,
	`value` text NOT NULL
);
--> statement-breakpoint
CREATE TABLE `outbox` (
	`seq` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`op_id` text NOT NULL,
	`kind` text NOT NULL,
	`provider` text NOT NULL,
	`session_id` integer,
	`participation_id` integer,
	`payload` text NOT NULL,
	`state` text DEFAULT 'pending' NOT NULL,
	`attempts` integer DEFAULT 0 NOT NULL,
	`next_attempt_at` integer,
	`last_error` text,
	`desk_id` text NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`session_id`) REFERENCES `sessions`(`id`) ON UPDATE no action ON DELETE restrict,
	FOREIGN KEY (`participation_id`) REFERENCES `participations`(`id`) ON UPDATE no action ON DELETE restrict
);
--> statement-breakpoint
CREATE UNIQUE INDEX `outbox_op_id` ON `outbox` (`op_id`);--> statement-breakpoint
CREATE INDEX `outbox_state_seq` ON `outbox` (`state`,`seq`);--> statement-breakpoint
CREATE INDEX `outbox_participation` ON `outbox` (`participation_id`,`state`);--> statement-breakpoint
CREATE TABLE `participations` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`provider` text NOT NULL,
	`provider_id` text NOT NULL,
	`external_id` text,
	`session_id` integer,
	`schedule_id` text,
	`name` text NOT NULL,
	`sort_name` text NOT NULL,
	`email` text,
	`phone` text,
	`contact_id` text,
	`customer_number` text,
	`booking_id` text,
	`badge_number` text,
	`search_codes` text DEFAULT '' NOT NULL,
	`party_size` integer DEFAULT 1 NOT NULL,
	`status` text DEFAULT 'CONFIRMED' NOT NULL,
	`revision` text,
	`is_walk_in` integer DEFAULT false NOT NULL,
	`raw` text,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`session_id`) REFERENCES `sessions`(`id`) ON UPDATE no action ON DELETE restrict,
	CONSTRAINT "participations_party_size" CHECK("participations"."party_size" BETWEEN 1 AND 1000),
	CONSTRAINT "participations_one_target" CHECK(("participations"."session_id" IS NULL) <> ("participations"."schedule_id" IS NULL))
);
--> statement-breakpoint
CREATE UNIQUE INDEX `participations_provider_id` ON `participations` (`provider`,`provider_id`);--> statement-breakpoint
CREATE INDEX `participations_session_sort` ON `participations` (`session_id`,`sort_name`);--> statement-breakpoint
CREATE INDEX `participations_schedule_sort` ON `participations` (`schedule_id`,`sort_name`);--> statement-breakpoint
CREATE INDEX `participations_external` ON `participations` (`external_id`);--> statement-breakpoint
CREATE TABLE `sessions` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`provider` text NOT NULL,
	`provider_id` text NOT NULL,
	`title` text NOT NULL,
	`starts_at` integer NOT NULL,
	`ends_at` integer NOT NULL,
	`time_zone` text NOT NULL,
	`all_day` integer DEFAULT false NOT NULL,
	`capacity` integer,
	`schedule_id` text,
	`schedule_name` text,
	`kind` text DEFAULT 'DEFAULT' NOT NULL,
	`status` text DEFAULT 'CONFIRMED' NOT NULL,
	`app_id` text,
	`revision` text,
	`raw` text,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	CONSTRAINT "sessions_ends_after_start" CHECK("sessions"."ends_at" >= "sessions"."starts_at")
);
--> statement-breakpoint
CREATE UNIQUE INDEX `sessions_provider_id` ON `sessions` (`provider`,`provider_id`);--> statement-breakpoint
CREATE INDEX `sessions_starts_at` ON `sessions` (`starts_at`);--> statement-breakpoint
CREATE INDEX `sessions_schedule` ON `sessions` (`schedule_id`);