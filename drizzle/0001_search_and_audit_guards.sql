-- Full-text search over the roster. External content: the text lives once, in participations.
-- unicode61 with remove_diacritics 2 folds case and accents (Müller = muller = MULLER); prefix
-- indexes make the first keystrokes of search-as-you-type cheap at 100,000 rows.
CREATE VIRTUAL TABLE `participation_search` USING fts5(
	`name`, `email`, `phone`, `search_codes`,
	content='participations', content_rowid='id',
	tokenize='unicode61 remove_diacritics 2',
	prefix='1 2 3'
);
--> statement-breakpoint
CREATE TRIGGER `participations_search_insert` AFTER INSERT ON `participations` BEGIN
	INSERT INTO `participation_search`(rowid, `name`, `email`, `phone`, `search_codes`)
	VALUES (new.`id`, new.`name`, new.`email`, new.`phone`, new.`search_codes`);
END;
--> statement-breakpoint
CREATE TRIGGER `participations_search_delete` AFTER DELETE ON `participations` BEGIN
	INSERT INTO `participation_search`(`participation_search`, rowid, `name`, `email`, `phone`, `search_codes`)
	VALUES ('delete', old.`id`, old.`name`, old.`email`, old.`phone`, old.`search_codes`);
END;
--> statement-breakpoint
CREATE TRIGGER `participations_search_update` AFTER UPDATE OF `name`, `email`, `phone`, `search_codes` ON `participations` BEGIN
	INSERT INTO `participation_search`(`participation_search`, rowid, `name`, `email`, `phone`, `search_codes`)
	VALUES ('delete', old.`id`, old.`name`, old.`email`, old.`phone`, old.`search_codes`);
	INSERT INTO `participation_search`(rowid, `name`, `email`, `phone`, `search_codes`)
	VALUES (new.`id`, new.`name`, new.`email`, new.`phone`, new.`search_codes`);
END;
--> statement-breakpoint
-- The audit log is append-only: history is evidence, not state.
CREATE TRIGGER `audit_log_no_update` BEFORE UPDATE ON `audit_log` BEGIN
	SELECT RAISE(ABORT, 'the audit log is append-only');
END;
--> statement-breakpoint
CREATE TRIGGER `audit_log_no_delete` BEFORE DELETE ON `audit_log` BEGIN
	SELECT RAISE(ABORT, 'the audit log is append-only');
END;
