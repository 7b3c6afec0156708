"""The application factory: builds Flask, binds the extensions, registers views, APIs and sockets."""
from flask import Flask
from flask_appbuilder import AppBuilder
from sqlalchemy import event

from app import embedded_db
from config import BASE_DIR, Config


def create_app(overrides: dict | None = None) -> Flask:
    config = Config()
    app = Flask(__name__, instance_path=config.INSTANCE_PATH)
    app.config.from_object(config)
    app.config.update(overrides or {})
    from app.security.input_guard import init_input_guard

    init_input_guard(app)  # before any route is added: <int:…> becomes an id converter
    from app.security.passwords import validate_password_complexity

    app.config.setdefault("FAB_PASSWORD_COMPLEXITY_VALIDATOR", validate_password_complexity)
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql"):
        # short OLTP queries: PostgreSQL's JIT once spent a second compiling a list query (bench/)
        app.config.setdefault("SQLALCHEMY_ENGINE_OPTIONS", {"connect_args": {"options": "-c jit=off"}})
    elif app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        app.config.setdefault("SQLALCHEMY_ENGINE_OPTIONS", embedded_db.engine_options())

    from app import models  # noqa: F401  (the metadata must be complete before anything binds)
    from app.api import register_apis
    from app.cli import tmk_cli
    from app.extensions import csrf, db, mail, migrate, socketio
    from app.realtime import SocketSessionInterface, chat_writer, origin_check, register_realtime
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
    queue = ({"message_queue": app.config["REDIS_URL"], "channel": app.config["SOCKETIO_CHANNEL"]}
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
    with app.app_context():
        if db.engine.dialect.name == "sqlite":
            event.listen(db.engine, "connect", embedded_db.prepare_connection)
        appbuilder = AppBuilder(update_perms=False)
        appbuilder.init_app(app, db.session)
        register_views(appbuilder)
        register_apis(appbuilder)
        # FAB's REST APIs authenticate by JWT or by a JSON request from our own pages
        for name, blueprint in app.blueprints.items():
            if name.endswith("Api") or name == "SecurityApi":
                csrf.exempt(blueprint)
    register_realtime()
    chat_writer.init_app(app)
    init_security_headers(app)
    register_error_handlers(app)
    register_template_filters(app)
    app.cli.add_command(tmk_cli)
    return app
