"""The application factory: builds Flask, binds the extensions, registers views, APIs and sockets."""
import click
from flask import Flask
from flask_appbuilder import AppBuilder
from sqlalchemy import event
from werkzeug.middleware.proxy_fix import ProxyFix

from config import BASE_DIR, Config


def create_app(overrides: dict | None = None) -> Flask:
    config = Config()
    # the pages' templates (FAB's overrides under appbuilder/) are the top-level templates/ (DESIGN.md §2)
    app = Flask(__name__, instance_path=config.INSTANCE_PATH, template_folder=str(BASE_DIR / "templates"))
    app.config.from_object(config)
    app.config.update(overrides or {})
    from app.security.input_guard import init_input_guard

    init_input_guard(app)  # before any route is added: <int:…> becomes an id converter
    from app.security.passwords import validate_password_complexity

    app.config.setdefault("FAB_PASSWORD_COMPLEXITY_VALIDATOR", validate_password_complexity)
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql"):
        # short OLTP queries: PostgreSQL's JIT once spent a second compiling a list query (bench/)
        app.config.setdefault("SQLALCHEMY_ENGINE_OPTIONS", {"connect_args": {"options": "-c jit=off"}})

    from app import models  # noqa: F401  (the metadata must be complete before anything binds)
    from app.api import register_apis
    from app.demo.commands import demo_command
    from app.extensions import csrf, db, mail, migrate, prepare_sqlite, socketio
    from app.jobs.worker import worker_command
    from app.realtime import SocketSessionInterface, chat_writer, origin_check, register_realtime
    from app.realtime.revocation import RevokingRedisManager
    from app.security.commands import create_admin_command, init_command
    from app.security.csrf import require_csrf_with_cookie
    from app.security.headers import init_security_headers
    from app.views import register_views
    from app.views.errors import register_error_handlers
    from app.views.formatting import register_template_filters

    db.init_app(app)
    migrate.init_app(app, db, directory=str(BASE_DIR / "migrations"), render_as_batch=True)
    mail.init_app(app)
    csrf.init_app(app)
    # with Redis the processes share rooms through it; without, forget a queue that an earlier app of
    # this process (the tests build several) may have set on the shared SocketIO object
    queue = ({"client_manager": RevokingRedisManager(app.config["REDIS_URL"], channel=app.config["SOCKETIO_CHANNEL"])}
             if app.config["REDIS_URL"] else {"client_manager": None})
    app.session_interface = SocketSessionInterface()
    socketio.init_app(
        app,
        async_mode=app.config["SOCKETIO_ASYNC_MODE"],
        # a socket's events run in its own reader, one after another: a thread started per event cost
        # the threading server a fifth of its chat throughput (bench/socket_bench.py)
        async_handlers=False,
        cors_allowed_origins=origin_check(app),
        **queue,
    )
    if app.config["TMK_PROXY_COUNT"]:
        # behind nginx: the client's address (login limits, audit) and scheme from the proxies' headers,
        # trusting exactly that many; outermost, so that the sockets' handshake sees them too
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=app.config["TMK_PROXY_COUNT"],
                                x_proto=app.config["TMK_PROXY_COUNT"])
    with app.app_context():
        if db.engine.dialect.name == "sqlite":
            event.listen(db.engine, "connect", prepare_sqlite)
        appbuilder = AppBuilder(update_perms=False)
        appbuilder.init_app(app, db.session)
        register_views(appbuilder)
        register_apis(appbuilder)
        # FAB's REST APIs authenticate by JWT or by the session cookie; with the cookie they want the
        # page's token in X-CSRFToken (app/security/csrf.py); the JWT login itself wants none
        for name, blueprint in app.blueprints.items():
            if name.endswith("Api") or name == "SecurityApi":
                csrf.exempt(blueprint)
            if name.endswith("Api") and name != "SecurityApi":  # registered already: through the app
                app.before_request_funcs.setdefault(name, []).append(require_csrf_with_cookie)
    register_realtime()
    chat_writer.init_app(app)
    init_security_headers(app)
    register_error_handlers(app)
    register_template_filters(app)
    # `flask tmk …`: the commands an operator runs, each from the package it belongs to
    app.cli.add_command(click.Group("tmk", help="ТМК portal administration.", commands=[
        init_command, create_admin_command, demo_command, worker_command]))
    return app
