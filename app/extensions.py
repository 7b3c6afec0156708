"""The application's singletons, bound to an app in create_app().

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
