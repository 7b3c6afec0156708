"""`flask tmk …`: the commands an operator runs; run.py calls the same functions."""
import click
from flask import current_app
from flask.cli import with_appcontext

from app.core.jobs import WORKER_QUEUES
from app.demo import load_demo
from app.extensions import db
from app.security.first_admin import ensure_first_admin
from app.security.roles import sync_roles


@click.group("tmk", help="ТМК portal administration.")
def tmk_cli():
    pass


@tmk_cli.command("init", help="Create the permissions and make every role's permissions match the code.")
@with_appcontext
def init_command():
    for role, count in sync_roles(current_app.appbuilder).items():
        click.echo(f"{role}: {count} permissions")


@tmk_cli.command("create-admin", help="Create the first regional administrator if there is none.")
@with_appcontext
def create_admin_command():
    created = ensure_first_admin()
    if created is None:
        click.echo("A regional administrator exists already.")
        return
    login, password = created
    click.echo(f"Regional administrator created: {login}" + (f" / {password}" if password else ""))


@tmk_cli.command("demo", help="Load the demo region (once).")
@with_appcontext
def demo_command():
    click.echo("Demo region loaded." if load_demo() else "The demo region is already there.")


@tmk_cli.command("worker", help="Run an RQ worker for the portal's jobs, inside the portal's app.")
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
