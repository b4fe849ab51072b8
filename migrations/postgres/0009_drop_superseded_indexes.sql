-- The listing indexes of 0003-0008 replace these (dropping an index is brief).
DROP INDEX IF EXISTS sessions_by_group;
DROP INDEX IF EXISTS sessions_by_group_status;
DROP INDEX IF EXISTS entities_by_group;
DROP INDEX IF EXISTS entities_by_group_status;
DROP INDEX IF EXISTS entities_by_group_created;
DROP INDEX IF EXISTS programs_by_group;
