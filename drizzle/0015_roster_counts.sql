-- A roster's counts (booked, expected people, to confirm) read the roster's rows for status and
-- party size; rows carry the provider's raw record, so at a season's size (today's session of
-- 100,000 on top of 900,000 earlier participations) counting them read ~100 MB and took ~1 s of
-- the desk's start-up. These entries answer the counts without reading a row.
CREATE INDEX `participations_session_counts` ON `participations` (`session_id`,`removed_at`,`status`,`party_size`);--> statement-breakpoint
CREATE INDEX `participations_schedule_counts` ON `participations` (`schedule_id`,`removed_at`,`status`,`party_size`) WHERE "participations"."schedule_id" IS NOT NULL;
