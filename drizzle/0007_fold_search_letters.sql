-- Names were indexed as written and the tokenizer strips accent marks only, so "odegaard" missed
-- Ødegaard and "lukasz" Łukasz (ß, Æ, Œ, Đ, Þ, dotless ı likewise). foldText (core/text.ts) now
-- folds those letters too. The index holds each name in that form: sort_name, which the desk
-- already writes with foldText, is recomputed for existing people and indexed instead of name;
-- typed searches are folded the same way (toFtsQuery). Codes gain their newly folded compact form.
-- rollcall_fold and rollcall_refold_codes are foldText and refoldSearchCodes, given to SQL by the
-- migration runner (db/migrate.ts): one fold, not a copy of it in SQL.
DROP TRIGGER `participations_search_insert`;--> statement-breakpoint
DROP TRIGGER `participations_search_delete`;--> statement-breakpoint
DROP TRIGGER `participations_search_update`;--> statement-breakpoint
DROP TABLE `participation_search`;--> statement-breakpoint
UPDATE `participations` SET `sort_name` = rollcall_fold(`name`) WHERE `sort_name` IS NOT rollcall_fold(`name`);--> statement-breakpoint
UPDATE `participations` SET `search_codes` = rollcall_refold_codes(`search_codes`)
	WHERE `search_codes` IS NOT rollcall_refold_codes(`search_codes`);--> statement-breakpoint
CREATE VIRTUAL TABLE `participation_search` USING fts5(
	`sort_name`, `email`, `phone`, `search_codes`, `roster_key`,
	content='participations', content_rowid='id',
	tokenize='unicode61 remove_diacritics 2',
	prefix='1 2 3'
);--> statement-breakpoint
CREATE TRIGGER `participations_search_insert` AFTER INSERT ON `participations` BEGIN
	INSERT INTO `participation_search`(rowid, `sort_name`, `email`, `phone`, `search_codes`, `roster_key`)
	VALUES (new.`id`, new.`sort_name`, new.`email`, new.`phone`, new.`search_codes`, new.`roster_key`);
END;--> statement-breakpoint
CREATE TRIGGER `participations_search_delete` AFTER DELETE ON `participations` BEGIN
	INSERT INTO `participation_search`(`participation_search`, rowid, `sort_name`, `email`, `phone`, `search_codes`, `roster_key`)
	VALUES ('delete', old.`id`, old.`sort_name`, old.`email`, old.`phone`, old.`search_codes`, old.`roster_key`);
END;--> statement-breakpoint
CREATE TRIGGER `participations_search_update` AFTER UPDATE OF `name`, `sort_name`, `email`, `phone`, `search_codes`, `session_id`, `schedule_id` ON `participations` BEGIN
	INSERT INTO `participation_search`(`participation_search`, rowid, `sort_name`, `email`, `phone`, `search_codes`, `roster_key`)
	VALUES ('delete', old.`id`, old.`sort_name`, old.`email`, old.`phone`, old.`search_codes`, old.`roster_key`);
	INSERT INTO `participation_search`(rowid, `sort_name`, `email`, `phone`, `search_codes`, `roster_key`)
	VALUES (new.`id`, new.`sort_name`, new.`email`, new.`phone`, new.`search_codes`, new.`roster_key`);
END;--> statement-breakpoint
INSERT INTO `participation_search`(`participation_search`) VALUES ('rebuild');
