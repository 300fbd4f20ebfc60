-- Why an operation failed, as a code (JSON): the window words it in its own language. Rows from
-- before this column keep their English words only and are shown as they are.
ALTER TABLE `outbox` ADD `last_error_reason` text;