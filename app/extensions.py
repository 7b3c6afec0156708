"""The application's singletons, bound to an app in create_app(), and how the embedded SQLite's
connections are set up.

AppBuilder is the exception: it keeps its views and menu on the instance, so create_app() makes one
per app (the tests build several) and code reaches it as ``current_app.appbuilder``.
"""
from flask_appbuilder import Model
from flask_appbuilder.models.sqla.base import SQLA
from flask_mail import Mail
from flask_migrate import Migrate
from flask_socketio import SocketIO
from flask_wtf.csrf import CSRFProtect

# One metadata for FAB's security tables and ours, so migrations see both.
db = SQLA(metadata=Model.metadata)
migrate = Migrate()
mail = Mail()
csrf = CSRFProtect()
# the async mode is always explicit: threading or gevent, never eventlet (config.py, DESIGN.md §3)
socketio = SocketIO()


def prepare_sqlite(connection, _record) -> None:
    """A new SQLite connection (create_app listens for them): a write-ahead log, so that a page being read
    does not block a message being stored and a commit costs one fsync (synchronous stays FULL: nothing
    committed is lost on a power cut); foreign keys enforced as on PostgreSQL (SQLite's default is off: a
    deleted account's id would go to the next account, with requests and messages still pointing at it;
    migrations/env.py turns them off while a migration rebuilds tables); and a lower() that knows Cyrillic
    — SQLite's folds ASCII only, so a search for «иванов» (ilike is lower() LIKE lower()) would not find
    «Иванов»."""
    cursor = connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()
    connection.create_function("lower", 1, _lower, deterministic=True)


def _lower(value):
    return value.lower() if isinstance(value, str) else value
