"""Fixtures: one migrated app with the demo region per database backend, and logged-in clients."""
import contextlib
import os
import re
import secrets
import tempfile
from pathlib import Path

import pytest

# Before the app is imported: keep the tests' instance folder (secret key, files) out of the tree.
os.environ.setdefault("TMK_INSTANCE_PATH", tempfile.mkdtemp(prefix="tmk-test-instance-"))

from flask_migrate import upgrade  # noqa: E402

from app import create_app  # noqa: E402
from app.demo import load_demo  # noqa: E402
from app.extensions import db  # noqa: E402
from app.models import TmkUser  # noqa: E402
from app.security.roles import REQUESTER, sync_roles  # noqa: E402
from tests.databases import backends, drop_database, fresh_database  # noqa: E402

DEMO_PASSWORD = "Demo-2026!"
# a video server for the apps that need one (the default has none); nothing connects to it in the tests
VIDEO_SERVER = {"JITSI_DOMAIN": "meet.test", "JITSI_APP_ID": "tmk-portal",
                "JITSI_APP_SECRET": "s3cret-for-tests-only-0123456789", "JITSI_TOKEN_SUBJECT": "meet.jitsi"}


def make_app(database_url: str, **overrides):
    config = {
        "SQLALCHEMY_DATABASE_URI": database_url,
        "TESTING": True,
        "WTF_CSRF_ENABLED": False,
        "AUTH_RATE_LIMITED": False,
        "RATELIMIT_ENABLED": False,
        "TMK_DEMO_PASSWORD": DEMO_PASSWORD,
        **overrides,
    }
    return create_app(config)


def prepare_database(app, demo: bool = True) -> None:
    with app.app_context():
        upgrade()
        sync_roles(app.appbuilder)
        if demo:
            load_demo()


@pytest.fixture(scope="session")
def tmp_root():
    return Path(tempfile.mkdtemp(prefix="tmk-test-"))


@contextlib.contextmanager
def app_with_own_database(backend: str, folder, **overrides):
    """A migrated app with the demo region in a new database of that backend, dropped afterwards."""
    url = fresh_database(backend, folder)
    application = make_app(url, **overrides)
    prepare_database(application)
    try:
        yield application
    finally:
        with application.app_context():
            db.session.remove()
            db.engine.dispose()
        drop_database(url)


@pytest.fixture(scope="session", params=backends())
def app(request, tmp_root):
    with app_with_own_database(request.param, tmp_root) as application:
        yield application


@pytest.fixture()
def db_session(app):
    with app.app_context():
        yield db.session
        db.session.rollback()


def own_requester(app, prefix: str) -> str:
    """A requester of requester1's МО that only the calling test signs in as (the demo accounts are shared)."""
    with app.app_context():
        sm = app.appbuilder.sm
        name = f"{prefix}{secrets.token_hex(4)}"
        user = sm.add_user(name, "Тест", "Тестов", f"{name}@example.org", [sm.find_role(REQUESTER)],
                           password=DEMO_PASSWORD)
        user.organization_id = db.session.query(TmkUser).filter_by(username="requester1").one().organization_id
        db.session.commit()
        return name


def login(client, username: str, password: str = DEMO_PASSWORD):
    response = client.post("/login/", data={"username": username, "password": password})
    assert response.status_code == 302, f"login of {username} failed"
    return client


def api_token(app, username: str) -> dict:
    """The Authorization header of a JWT from /api/v1/security/login."""
    response = app.test_client().post("/api/v1/security/login", json={
        "username": username, "password": DEMO_PASSWORD, "provider": "db"})
    assert response.status_code == 200, response.get_data(as_text=True)
    return {"Authorization": f"Bearer {response.json['access_token']}"}


@pytest.fixture()
def api(app):
    """api("POST", url, "requester1", json=…) → the answer to that user's JWT."""
    client = app.test_client()

    def call(method, url, username, **kwargs):
        return client.open(url, method=method, headers=api_token(app, username), **kwargs)

    return call


@pytest.fixture()
def client_for(app):
    """client_for("moadmin1") → a test client logged in as that demo user."""

    def make(username: str):
        return login(app.test_client(), username)

    return make


def visible_text(html: str) -> str:
    """The text a person sees: no scripts, styles, tags or attributes."""
    html = re.sub(r"(?is)<(script|style)\b.*?</\1>", " ", html)
    html = re.sub(r"(?s)<[^>]+>", " ", html)
    return re.sub(r"\s+", " ", html)
