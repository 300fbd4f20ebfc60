-- What the booking system held the last time this desk saw each mark: the base of the
-- check-and-set for Bookings attendance (which has no revision).
ALTER TABLE `attendance` ADD `seen_status` text;--> statement-breakpoint
ALTER TABLE `attendance` ADD `seen_attendees` integer;--> statement-breakpoint
-- A mark with nothing waiting to be sent is what the booking system holds (pulled, or sent).
UPDATE `attendance` SET `seen_status` = `status`, `seen_attendees` = `attendees`
WHERE NOT EXISTS (
  SELECT 1 FROM `outbox` o WHERE o.`participation_id` = `attendance`.`participation_id` AND o.`session_id` = `attendance`.`session_id`
    AND o.`kind` = 'attendance.set' AND o.`state` IN ('pending', 'in_flight', 'conflict')
);--> statement-breakpoint
-- A mark still waiting: the desk last saw what its oldest unsent mark replaced.
UPDATE `attendance` SET
  `seen_status` = (
    SELECT json_extract(o.`payload`, '$.previous.status') FROM `outbox` o
    WHERE o.`participation_id` = `attendance`.`participation_id` AND o.`session_id` = `attendance`.`session_id`
      AND o.`kind` = 'attendance.set' AND o.`state` IN ('pending', 'in_flight', 'conflict') ORDER BY o.`seq` LIMIT 1),
  `seen_attendees` = (
    SELECT json_extract(o.`payload`, '$.previous.attendees') FROM `outbox` o
    WHERE o.`participation_id` = `attendance`.`participation_id` AND o.`session_id` = `attendance`.`session_id`
      AND o.`kind` = 'attendance.set' AND o.`state` IN ('pending', 'in_flight', 'conflict') ORDER BY o.`seq` LIMIT 1)
WHERE `seen_status` IS NULL;
