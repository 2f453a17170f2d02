-- Filled in by the work on its issue; empty statements are skipped.
SELECT 1;
