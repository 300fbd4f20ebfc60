CREATE TABLE `attendance_days` (
	`participation_id` integer NOT NULL,
	`session_id` integer NOT NULL,
	`day` text NOT NULL,
	`status` text NOT NULL,
	`attendees` integer NOT NULL,
	`marked_at` integer,
	`desk_id` text,
	`checked_out_at` integer,
	PRIMARY KEY(`participation_id`, `session_id`, `day`)
);
--> statement-breakpoint
CREATE INDEX `attendance_days_session_day` ON `attendance_days` (`session_id`,`day`);--> statement-breakpoint
ALTER TABLE `attendance` ADD `checked_out_at` integer;--> statement-breakpoint
ALTER TABLE `attendance` ADD `day` text;--> statement-breakpoint
-- A mark for a later day of a multi-day session replaces the row's earlier day: that day's mark
-- moves to attendance_days first. Legacy rows (before this migration) carry no day: the UTC date of
-- their mark stands in for it. Undo back to an earlier day (new.day < old.day) archives nothing.
-- That day may be archived already (checked in again after an undo back to it): the older copy is
-- deleted first. Not INSERT OR REPLACE: the desk's UPSERT that fires this trigger imposes its own
-- conflict policy (ABORT) on the statements inside it, so the REPLACE would be ignored.
CREATE TRIGGER `attendance_keep_earlier_day` AFTER UPDATE OF `day` ON `attendance`
WHEN new.`day` IS NOT NULL AND old.`status` <> 'NOT_SET'
  AND (old.`day` IS NULL OR new.`day` > old.`day`)
BEGIN
  DELETE FROM `attendance_days`
  WHERE `participation_id` = old.`participation_id` AND `session_id` = old.`session_id`
    AND `day` = coalesce(old.`day`, strftime('%Y-%m-%d', old.`marked_at` / 1000, 'unixepoch'), '0000-00-00');
  INSERT INTO `attendance_days` (`participation_id`, `session_id`, `day`, `status`, `attendees`, `marked_at`, `desk_id`, `checked_out_at`)
  VALUES (old.`participation_id`, old.`session_id`,
          coalesce(old.`day`, strftime('%Y-%m-%d', old.`marked_at` / 1000, 'unixepoch'), '0000-00-00'),
          old.`status`, old.`attendees`, old.`marked_at`, old.`desk_id`, old.`checked_out_at`);
END;
