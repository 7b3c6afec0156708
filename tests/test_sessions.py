"""Sessions are revoked (issue 11, item 5): «Выход» ends the session server-side; «Выйти на всех
устройствах», a password change, a deactivation and a change of roles raise the account's session epoch,
and cookies, JWTs (access and refresh) and sockets of an older epoch are refused, the open sockets cut at
once — across processes through Redis. Also item 12's socket `join` with an absurd id."""
import os
import re
import uuid

import pytest

from app.extensions import db, socketio
from app.models import TmkUser
from app.realtime.chat import NAMESPACE as CHAT
from app.realtime.notifications import NAMESPACE as BELL
from app.security.roles import CONSULTANT, REQUESTER
from tests.conftest import own_requester, DEMO_PASSWORD, login, make_app

NEW_PASSWORD = "Другой-Пароль-2026!"


@pytest.fixture()
def app(app):
    """A fresh app over the same database, without a Redis queue (see tests/test_realtime.py)."""
    return make_app(app.config["SQLALCHEMY_DATABASE_URI"])


@pytest.fixture()
def account(app):
    """A requester of its own: its password and roles are changed here, the demo accounts are shared."""
    return own_requester(app, "epoch")


def signed_in(client) -> bool:
    return client.get("/profile/info").status_code == 200


def cookie_of(client) -> str:
    return client.get_cookie("session").value


def replay(app, cookie: str):
    """Another browser (an attacker) with a copy of the cookie."""
    other = app.test_client()
    other.set_cookie("session", cookie)
    return other


def tokens(app, username, password=DEMO_PASSWORD):
    answer = app.test_client().post("/api/v1/security/login", json={
        "username": username, "password": password, "provider": "db", "refresh": True})
    assert answer.status_code == 200
    return answer.json["access_token"], answer.json["refresh_token"]


def api_works(app, access) -> bool:
    return app.test_client().get("/api/v1/requests/tab/all", headers={"Authorization": f"Bearer {access}"}).status_code == 200


def refresh_works(app, refresh) -> bool:
    return app.test_client().post("/api/v1/security/refresh",
                                  headers={"Authorization": f"Bearer {refresh}"}).status_code == 200


def change(app, username, **values):
    """An administrator's change (the form, the API and a command all end in the ORM)."""
    with app.app_context():
        user = db.session.query(TmkUser).filter_by(username=username).one()
        for key, value in values.items():
            if key == "roles":
                value = [app.appbuilder.sm.find_role(name) for name in value]
            setattr(user, key, value)
        db.session.commit()


def sockets(app, client):
    return [socketio.test_client(app, namespace=namespace, flask_test_client=client) for namespace in (CHAT, BELL)]


def connected(socket_clients) -> list[bool]:
    return [sock.is_connected(ns) for sock, ns in zip(socket_clients, (CHAT, BELL))]


def test_logout_ends_the_session_on_the_server(app, account):
    client = login(app.test_client(), account)
    cookie = cookie_of(client)
    other_device = login(app.test_client(), account)
    open_sockets = sockets(app, client)
    assert connected(open_sockets) == [True, True]
    client.get("/logout/")
    assert not signed_in(replay(app, cookie))  # the cookie copied before «Выход» is refused
    assert connected(open_sockets) == [False, False]  # the session's sockets are cut
    assert signed_in(other_device)  # «Выход» is for this session only
    assert [s.is_connected(ns) for s, ns in zip(sockets(app, replay(app, cookie)), (CHAT, BELL))] == [False, False]


def test_logout_on_all_devices(app, account):
    first, second = login(app.test_client(), account), login(app.test_client(), account)
    access, refresh = tokens(app, account)
    open_sockets = sockets(app, second)
    page = first.get("/").get_data(as_text=True)
    assert "Выйти на всех устройствах" in page
    answer = first.post("/logout-everywhere/")
    assert answer.status_code == 302 and "/login" in answer.headers["Location"]
    assert not signed_in(first) and not signed_in(second)
    assert not api_works(app, access) and not refresh_works(app, refresh)
    assert connected(open_sockets) == [False, False]
    # signing in again works
    assert signed_in(login(app.test_client(), account)) and api_works(app, tokens(app, account)[0])


def test_logout_on_all_devices_wants_the_csrf_token(app, account):
    protected = make_app(app.config["SQLALCHEMY_DATABASE_URI"], WTF_CSRF_ENABLED=True)
    client = protected.test_client()
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', client.get("/login/").get_data(as_text=True))
    client.post("/login/", data={"username": account, "password": DEMO_PASSWORD, "csrf_token": token.group(1)})
    assert client.post("/logout-everywhere/").status_code == 400  # another site's form: refused
    assert signed_in(client)
    page_token = re.search(r'<meta name="csrf-token" content="([^"]+)"', client.get("/").get_data(as_text=True))
    assert client.post("/logout-everywhere/", data={"csrf_token": page_token.group(1)}).status_code == 302
    assert not signed_in(client)


@pytest.mark.parametrize("what", ["password", "deactivation", "roles"])
def test_an_administrators_change_revokes_cookies_tokens_and_sockets(app, account, what):
    client = login(app.test_client(), account)
    access, refresh = tokens(app, account)
    open_sockets = sockets(app, client)
    if what == "password":
        with app.app_context():
            user = db.session.query(TmkUser).filter_by(username=account).one()
            app.appbuilder.sm.reset_password(user.id, NEW_PASSWORD)
    elif what == "deactivation":
        change(app, account, active=False)
    else:
        change(app, account, roles=[REQUESTER, CONSULTANT])
    assert not signed_in(client)
    assert not api_works(app, access) and not refresh_works(app, refresh)
    assert connected(open_sockets) == [False, False]
    if what == "deactivation":
        change(app, account, active=True)
    password = NEW_PASSWORD if what == "password" else DEMO_PASSWORD
    assert signed_in(login(app.test_client(), account, password)) and api_works(app, tokens(app, account, password)[0])


def test_a_deactivation_through_the_user_api_revokes_the_sessions(app, account):
    """The user API (another module) needs no call of its own: the ORM takes the sessions back."""
    client = login(app.test_client(), account)
    open_sockets = sockets(app, client)
    admin, _ = tokens(app, "regadmin")
    with app.app_context():
        user_id = db.session.query(TmkUser).filter_by(username=account).one().id
    answer = app.test_client().put(f"/api/v1/users/{user_id}", json={"active": False},
                                   headers={"Authorization": f"Bearer {admin}"})
    assert answer.status_code == 200, answer.get_data(as_text=True)
    assert not signed_in(client) and connected(open_sockets) == [False, False]
    change(app, account, active=True)
    assert not signed_in(client)  # reactivated: the old session stays ended


def test_ones_own_password_change_keeps_this_session_only(app, account):
    client, other = login(app.test_client(), account), login(app.test_client(), account)
    access, _ = tokens(app, account)
    answer = client.post("/profile/access", data={"current_password": DEMO_PASSWORD, "password": NEW_PASSWORD,
                                                   "conf_password": NEW_PASSWORD})
    assert answer.status_code == 302
    assert signed_in(client)
    assert not signed_in(other) and not api_works(app, access)


def test_other_changes_keep_the_sessions(app, account):
    client = login(app.test_client(), account)
    access, _ = tokens(app, account)
    change(app, account, phone="+7 900 000-00-00", roles=[REQUESTER])  # the same roles again
    assert signed_in(client) and api_works(app, access)


def test_a_session_without_the_epoch_is_refused(app, account):
    """A cookie made before the epoch existed (or forged without it) signs nobody in."""
    client = login(app.test_client(), account)
    with client.session_transaction() as stored:
        del stored["tmk_epoch"]
    assert not signed_in(client)


@pytest.mark.parametrize("absurd", [10**30, -1, 0, "x", {"a": 1}, None, True, 2**31])
def test_join_with_an_absurd_id_answers_at_once(app, absurd):
    client = login(app.test_client(), "requester1")
    sock = socketio.test_client(app, namespace=CHAT, flask_test_client=client)
    assert sock.emit("join", {"request_id": absurd}, namespace=CHAT, callback=True) == {
        "ok": False, "error": "Такого чата нет"}
    assert sock.emit("join", absurd, namespace=CHAT, callback=True)["ok"] is False


def test_a_revocation_cuts_the_sockets_of_another_process(app, account, tmp_path):
    """A real portal process (run.py) with REDIS_URL holds the socket; this process changes the password:
    the disconnect goes through the Socket.IO message queue."""
    redis_url = os.environ.get("TEST_REDIS_URL")
    if not redis_url:
        pytest.skip("TEST_REDIS_URL is not set")
    import requests
    import socketio as python_socketio
    from redis import Redis

    from tests.test_realtime_processes import Server, wait_until

    channel = f"tmk-test-{uuid.uuid4().hex[:12]}"
    env = {**os.environ, "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"], "REDIS_URL": redis_url,
           "TMK_SOCKETIO_CHANNEL": channel, "SECRET_KEY": uuid.uuid4().hex,
           "TMK_INSTANCE_PATH": str(tmp_path / "instance"), "AUTH_RATE_LIMITED": "false"}
    server = Server(env, tmp_path)
    try:
        server.wait_ready()
        http = requests.Session()
        form = http.get(f"{server.url}/login/", timeout=10).text
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', form).group(1)
        http.post(f"{server.url}/login/", data={"username": account, "password": DEMO_PASSWORD, "csrf_token": token},
                  allow_redirects=False, timeout=10)
        cookie = "; ".join(f"{c.name}={c.value}" for c in http.cookies)
        client = python_socketio.Client(reconnection=False)
        client.connect(server.url, headers={"Cookie": cookie}, transports=["websocket"], namespaces=[CHAT, BELL],
                       wait_timeout=20)
        assert set(client.namespaces) == {CHAT, BELL}
        wait_until(lambda: Redis.from_url(redis_url).pubsub_numsub(channel)[0][1] == 1, "the server on the channel")
        other = make_app(app.config["SQLALCHEMY_DATABASE_URI"], REDIS_URL=redis_url, SOCKETIO_CHANNEL=channel)
        with other.app_context():
            user = db.session.query(TmkUser).filter_by(username=account).one()
            other.appbuilder.sm.reset_password(user.id, NEW_PASSWORD)
        wait_until(lambda: not client.namespaces, "the sockets cut in the other process")
        client.disconnect()
        again = python_socketio.Client(reconnection=False)
        with pytest.raises(python_socketio.exceptions.ConnectionError):
            again.connect(server.url, headers={"Cookie": cookie}, transports=["websocket"], namespaces=[CHAT],
                          wait_timeout=10)
    finally:
        server.stop()
