"""`flask tmk demo`: the demo region; `python run.py --demo` does the same."""
import click
from flask.cli import with_appcontext

from app.demo import load_demo


@click.command("demo", help="Load the demo region (once).")
@with_appcontext
def demo_command():
    click.echo("Demo region loaded." if load_demo() else "The demo region is already there.")
