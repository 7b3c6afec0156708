"""The WSGI entry for gunicorn: `TMK_SOCKETIO_ASYNC_MODE=gevent gunicorn -k gevent -w 1 wsgi:app` (see README)."""
from app import create_app

app = create_app()
