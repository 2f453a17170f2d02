-- Reserved for 0007_quota_and_workload_usage_history: filled by the work that needs it; a no-op until then.
SELECT 1;
