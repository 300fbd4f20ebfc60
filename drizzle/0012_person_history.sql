CREATE TABLE `person_history` (
	`person_key` text NOT NULL,
	`provider` text NOT NULL,
	`session_provider_id` text NOT NULL,
	`series_key` text NOT NULL,
	`series_name` text NOT NULL,
	`starts_at` integer NOT NULL,
	`ends_at` integer NOT NULL,
	`outcome` text NOT NULL,
	`name` text NOT NULL,
	`email` text,
	`phone` text,
	PRIMARY KEY(`person_key`, `provider`, `session_provider_id`)
);
--> statement-breakpoint
CREATE INDEX `person_history_session` ON `person_history` (`provider`,`session_provider_id`,`outcome`);--> statement-breakpoint
CREATE INDEX `person_history_series` ON `person_history` (`series_key`,`starts_at`);--> statement-breakpoint
ALTER TABLE `participations` ADD `person_key` text GENERATED ALWAYS AS (CASE
  WHEN contact_id IS NOT NULL AND trim(contact_id) <> '' THEN 'c:' || provider || ':' || trim(contact_id)
  WHEN email IS NOT NULL AND instr(email, '@') > 1 THEN 'e:' || lower(replace(replace(trim(email), ' ', ''), char(9), ''))
  WHEN phone IS NOT NULL AND length(replace(replace(replace(replace(replace(replace(replace(trim(phone), ' ', ''), '-', ''), '.', ''), '/', ''), '(', ''), ')', ''), '+', '')) >= 6 AND replace(replace(replace(replace(replace(replace(replace(trim(phone), ' ', ''), '-', ''), '.', ''), '/', ''), '(', ''), ')', ''), '+', '') NOT GLOB '*[^0-9]*' THEN 'p:' || replace(replace(replace(replace(replace(replace(replace(trim(phone), ' ', ''), '-', ''), '.', ''), '/', ''), '(', ''), ')', ''), '+', '')
END) VIRTUAL;--> statement-breakpoint
CREATE INDEX `participations_person` ON `participations` (`person_key`) WHERE "participations"."person_key" IS NOT NULL;--> statement-breakpoint
ALTER TABLE `sessions` ADD `series_key` text GENERATED ALWAYS AS (provider || ':' || coalesce(schedule_id,
  CASE WHEN json_valid(raw) THEN json_extract(raw, '$.scheduleId') END,
  't:' || lower(trim(title)))) VIRTUAL;--> statement-breakpoint
CREATE INDEX `sessions_series` ON `sessions` (`series_key`,`starts_at`);--> statement-breakpoint
-- History outlives the rows it came from: whatever deletes a mark or a booking (pruning of old
-- sessions), what it said about the person is kept in person_history first. A mark is deleted
-- before its participation and session (foreign keys), so both are still there to read.
CREATE TRIGGER `person_history_keep_mark` BEFORE DELETE ON `attendance`
WHEN old.`status` <> 'NOT_SET'
BEGIN
  INSERT INTO `person_history` (`person_key`, `provider`, `session_provider_id`, `series_key`, `series_name`, `starts_at`, `ends_at`, `outcome`, `name`, `email`, `phone`)
  SELECT p.`person_key`, s.`provider`, s.`provider_id`, s.`series_key`, coalesce(s.`schedule_name`, s.`title`), s.`starts_at`, s.`ends_at`, old.`status`, p.`name`, p.`email`, p.`phone`
  FROM `participations` p JOIN `sessions` s ON s.`id` = old.`session_id`
  WHERE p.`id` = old.`participation_id` AND p.`person_key` IS NOT NULL
  ON CONFLICT (`person_key`, `provider`, `session_provider_id`) DO UPDATE SET
    `outcome` = CASE WHEN `person_history`.`outcome` = 'ATTENDED' THEN 'ATTENDED' ELSE excluded.`outcome` END;
END;
--> statement-breakpoint
-- A booking for one session leaves with its session: kept as booked (its mark, if any, was kept
-- just before, and wins). Cancelled bookings, people removed upstream and cancelled sessions say
-- nothing about the person and are not kept.
CREATE TRIGGER `person_history_keep_booking` BEFORE DELETE ON `participations`
WHEN old.`person_key` IS NOT NULL AND old.`session_id` IS NOT NULL AND old.`status` = 'CONFIRMED' AND old.`removed_at` IS NULL
BEGIN
  INSERT INTO `person_history` (`person_key`, `provider`, `session_provider_id`, `series_key`, `series_name`, `starts_at`, `ends_at`, `outcome`, `name`, `email`, `phone`)
  SELECT old.`person_key`, s.`provider`, s.`provider_id`, s.`series_key`, coalesce(s.`schedule_name`, s.`title`), s.`starts_at`, s.`ends_at`,
    coalesce((SELECT a.`status` FROM `attendance` a WHERE a.`participation_id` = old.`id` AND a.`session_id` = old.`session_id` AND a.`status` <> 'NOT_SET'), 'BOOKED'),
    old.`name`, old.`email`, old.`phone`
  FROM `sessions` s WHERE s.`id` = old.`session_id` AND s.`status` = 'CONFIRMED'
  ON CONFLICT (`person_key`, `provider`, `session_provider_id`) DO NOTHING;
END;
