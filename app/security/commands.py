"""`flask tmk init` and `flask tmk create-admin`: the roles and the first account; run.py calls the same
functions."""
import click
from flask import current_app
from flask.cli import with_appcontext

from app.security.first_admin import ensure_first_admin
from app.security.roles import sync_roles


@click.command("init", help="Create the permissions and make every role's permissions match the code.")
@with_appcontext
def init_command():
    for role, count in sync_roles(current_app.appbuilder).items():
        click.echo(f"{role}: {count} permissions")


@click.command("create-admin", help="Create the first regional administrator if there is none.")
@with_appcontext
def create_admin_command():
    created = ensure_first_admin()
    if created is None:
        click.echo("A regional administrator exists already.")
        return
    login, password = created
    click.echo(f"Regional administrator created: {login}" + (f" / {password}" if password else ""))
