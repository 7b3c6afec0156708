"""Run the portal: upgrade the database, sync roles, make the first administrator, serve.

    python run.py [--demo] [--host 127.0.0.1] [--port 5000]
"""
import argparse

from flask_migrate import upgrade

from app import create_app
from app.security.first_admin import ensure_first_admin
from app.demo import USERS, load_demo
from app.extensions import socketio
from app.core.jobs import PeriodicRunner
from app.security.roles import sync_roles


def prepare(app, demo: bool) -> None:
    with app.app_context():
        upgrade()
        sync_roles(app.appbuilder)
        created = ensure_first_admin()
        if created:
            login, password = created
            shown = password or "(TMK_ADMIN_PASSWORD)"
            print(f"Создан региональный администратор: {login} / {shown} — сохраните пароль, он больше не будет показан.")
        if demo:
            load_demo()
            print("Демо-регион загружен. Учётные записи (пароль: %s):" % app.config["TMK_DEMO_PASSWORD"])
            for login, last, first, middle, org, _dep, position, roles, _profiles in USERS:
                print(f"  {login:<13} {last} {first[0]}. {middle[0]}. — {', '.join(roles)}{' — ' + org if org else ''}")


def main() -> None:
    parser = argparse.ArgumentParser(description="ТМК — региональный портал телемедицинских консультаций")
    parser.add_argument("--demo", action="store_true", help="load the demo region (once)")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=5000)
    args = parser.parse_args()

    app = create_app()
    prepare(app, args.demo)
    if not app.config["REDIS_URL"]:
        PeriodicRunner(app).start()  # without Redis the minute jobs (the mail sweep) run here
    print(f"Портал ТМК: http://{args.host}:{args.port}/", flush=True)
    # Werkzeug's threaded server is the embedded default; README shows gunicorn for production.
    socketio.run(app, host=args.host, port=args.port, allow_unsafe_werkzeug=True)


if __name__ == "__main__":
    main()
