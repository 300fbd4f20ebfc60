-- A complete roster download is the booking system's truth: a participation it no longer has is
-- marked removed (its marks stay for the audit log and the day's export) instead of deleted.
-- removed_at joins the roster indexes so pages and counts skip removed people from the index alone.
DROP INDEX `participations_session_sort`;--> statement-breakpoint
DROP INDEX `participations_schedule_sort`;--> statement-breakpoint
DROP INDEX `participations_roster_by_id`;--> statement-breakpoint
ALTER TABLE `participations` ADD `removed_at` integer;--> statement-breakpoint
CREATE INDEX `participations_removed` ON `participations` (`session_id`,`schedule_id`) WHERE "participations"."removed_at" IS NOT NULL;--> statement-breakpoint
CREATE INDEX `participations_session_sort` ON `participations` (`session_id`,`sort_name`,`removed_at`);--> statement-breakpoint
CREATE INDEX `participations_schedule_sort` ON `participations` (`schedule_id`,`sort_name`,`removed_at`) WHERE "participations"."schedule_id" IS NOT NULL;--> statement-breakpoint
CREATE INDEX `participations_roster_by_id` ON `participations` (`id`,`session_id`,`schedule_id`,`sort_name`,`removed_at`);
