"""The WSGI entry for gunicorn: `gunicorn --threads 100 -w 1 wsgi:app` (see README)."""
from app import create_app

app = create_app()
