-- Reserved for 0006_time_partitioned_audit_events: filled by the work that needs it; a no-op until then.
SELECT 1;
