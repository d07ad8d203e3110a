// Restore: the lookup index is not part of Pedigree's schema.
DROP INDEX pedigree_restore_key IF EXISTS
