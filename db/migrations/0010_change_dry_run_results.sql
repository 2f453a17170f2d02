-- Reserved for 0010_change_dry_run_results: filled by the work that needs it; a no-op until then.
SELECT 1;
