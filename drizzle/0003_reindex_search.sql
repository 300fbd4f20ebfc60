-- Participations written before the search index existed (databases from the first release) were
-- never indexed: the external-content FTS table only learns rows through its triggers. Rebuild it
-- from the participations table so every person is found again.
INSERT INTO `participation_search`(`participation_search`) VALUES ('rebuild');
