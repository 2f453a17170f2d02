-- Reserved for 0008_abuse_findings_and_workload_sleep: filled by the work that needs it; a no-op until then.
SELECT 1;
