"""`flask --app wsgi tmk worker`: an RQ worker inside the portal's app, so that every job runs in the
portal's configuration and a context of its app (app/jobs/tasks.py)."""
import click
from flask import current_app
from flask.cli import with_appcontext

from app.core.jobs import WORKER_QUEUES
from app.extensions import db


@click.command("worker", help="Run an RQ worker for the portal's jobs, inside the portal's app.")
@click.option("--burst", is_flag=True, help="Stop when the queues are empty.")
@click.argument("queues", nargs=-1)
@with_appcontext
def worker_command(burst, queues):
    from redis import Redis
    from rq import Worker

    if not current_app.config["REDIS_URL"]:
        raise click.UsageError("REDIS_URL is not set: without Redis the portal runs its jobs itself")
    db.engine.dispose()  # each job runs in a forked process, which must open database connections of its own
    Worker(queues or WORKER_QUEUES, connection=Redis.from_url(current_app.config["REDIS_URL"])).work(
        with_scheduler=True, burst=burst)
