"""Background jobs: with REDIS_URL they go to RQ (`rq worker --with-scheduler`), without it they run in
a thread of this process once the transaction that asked for them has committed."""
