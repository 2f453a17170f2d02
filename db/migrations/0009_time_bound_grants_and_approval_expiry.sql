-- Reserved for 0009_time_bound_grants_and_approval_expiry: filled by the work that needs it; a no-op until then.
SELECT 1;
