-- A first pull writes 100,000 participations; each index is one more write per row, at a random
-- place. No query looks people up by external id (codes are found through the search index), and
-- the course and booking lookups only ever ask for a value, never for NULL: index only those rows.
DROP INDEX `participations_external`;--> statement-breakpoint
DROP INDEX `participations_schedule_sort`;--> statement-breakpoint
DROP INDEX `participations_booking`;--> statement-breakpoint
CREATE INDEX `participations_schedule_sort` ON `participations` (`schedule_id`,`sort_name`) WHERE "participations"."schedule_id" IS NOT NULL;--> statement-breakpoint
CREATE INDEX `participations_booking` ON `participations` (`provider`,`booking_id`) WHERE "participations"."booking_id" IS NOT NULL;