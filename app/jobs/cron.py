"""Periodic jobs for RQ's own scheduler: `rq cron app/jobs/cron.py --url $REDIS_URL`
(without Redis, run.py runs the same every minute in a thread)."""
from rq import cron

from app.jobs.tasks import every_minute

cron.register(every_minute, queue_name="tmk", interval=60, name="tmk-every-minute")
