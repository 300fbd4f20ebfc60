ALTER TABLE `participations` ADD `roster_key` text GENERATED ALWAYS AS (CASE WHEN session_id IS NOT NULL THEN 's' || session_id ELSE 'c' || lower(hex(schedule_id)) END) VIRTUAL;--> statement-breakpoint
CREATE INDEX `participations_roster_by_id` ON `participations` (`id`,`session_id`,`schedule_id`,`sort_name`);--> statement-breakpoint
-- The search index gets the roster key as a fifth column: a search then counts its hits on one
-- roster inside FTS5 (doclists merged by rowid) instead of looking up every hit's row, which at
-- 100,000 people was most of a two-letter search. What the desk types is matched against the
-- first four columns only (core/text.ts toFtsQuery adds the column filter).
DROP TRIGGER `participations_search_insert`;--> statement-breakpoint
DROP TRIGGER `participations_search_delete`;--> statement-breakpoint
DROP TRIGGER `participations_search_update`;--> statement-breakpoint
DROP TABLE `participation_search`;--> statement-breakpoint
CREATE VIRTUAL TABLE `participation_search` USING fts5(
	`name`, `email`, `phone`, `search_codes`, `roster_key`,
	content='participations', content_rowid='id',
	tokenize='unicode61 remove_diacritics 2',
	prefix='1 2 3'
);--> statement-breakpoint
CREATE TRIGGER `participations_search_insert` AFTER INSERT ON `participations` BEGIN
	INSERT INTO `participation_search`(rowid, `name`, `email`, `phone`, `search_codes`, `roster_key`)
	VALUES (new.`id`, new.`name`, new.`email`, new.`phone`, new.`search_codes`, new.`roster_key`);
END;--> statement-breakpoint
CREATE TRIGGER `participations_search_delete` AFTER DELETE ON `participations` BEGIN
	INSERT INTO `participation_search`(`participation_search`, rowid, `name`, `email`, `phone`, `search_codes`, `roster_key`)
	VALUES ('delete', old.`id`, old.`name`, old.`email`, old.`phone`, old.`search_codes`, old.`roster_key`);
END;--> statement-breakpoint
CREATE TRIGGER `participations_search_update` AFTER UPDATE OF `name`, `email`, `phone`, `search_codes`, `session_id`, `schedule_id` ON `participations` BEGIN
	INSERT INTO `participation_search`(`participation_search`, rowid, `name`, `email`, `phone`, `search_codes`, `roster_key`)
	VALUES ('delete', old.`id`, old.`name`, old.`email`, old.`phone`, old.`search_codes`, old.`roster_key`);
	INSERT INTO `participation_search`(rowid, `name`, `email`, `phone`, `search_codes`, `roster_key`)
	VALUES (new.`id`, new.`name`, new.`email`, new.`phone`, new.`search_codes`, new.`roster_key`);
END;--> statement-breakpoint
INSERT INTO `participation_search`(`participation_search`) VALUES ('rebuild');
