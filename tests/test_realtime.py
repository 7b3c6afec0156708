"""Socket.IO: the chat (signed-in members only, stored first then broadcast, acknowledged with the id),
the Origin rule, and the bell's count in real time."""
import pytest
from flask.sessions import SecureCookieSessionInterface

from app.extensions import socketio
from app.realtime.chat import NAMESPACE
from app.realtime.notifications import NAMESPACE as BELL
from tests.conftest import login, make_app
from tests.requests_helpers import new_request, user


@pytest.fixture()
def app(app):
    """A fresh app over the same database: the process has one SocketIO object, serving the app built
    last; another test may have built one with a Redis queue, which the test client cannot use."""
    return make_app(app.config["SQLALCHEMY_DATABASE_URI"])


def socket_for(app, username=None):
    http = app.test_client()
    if username:
        login(http, username)
    return socketio.test_client(app, namespace=NAMESPACE, flask_test_client=http)


def received(client, name):
    """The payloads of the events of that name the client got since last asked."""
    found = []
    for packet in client.get_received(NAMESPACE):
        if packet["name"] == name:
            args = packet["args"]
            found.append(args[0] if isinstance(args, list) else args)
    return found


@pytest.fixture()
def request_id(app):
    with app.app_context():
        return new_request().id


def test_an_anonymous_connection_is_refused(app):
    assert not socket_for(app).is_connected(NAMESPACE)


def test_members_chat_in_real_time(app, request_id):
    author, admin = socket_for(app, "requester1"), socket_for(app, "moadmin1")
    assert author.emit("join", {"request_id": request_id}, namespace=NAMESPACE, callback=True) == {"ok": True}
    assert admin.emit("join", {"request_id": request_id}, namespace=NAMESPACE, callback=True) == {"ok": True}
    ack = author.emit("send", {"request_id": request_id, "text": "Здравствуйте", "client_id": "rt-1"},
                      namespace=NAMESPACE, callback=True)
    assert ack["ok"] and isinstance(ack["message"]["id"], int)
    messages = received(admin, "message")
    assert [m["text"] for m in messages] == ["Здравствуйте"]
    assert messages[0]["id"] == ack["message"]["id"]
    # a retried send (lost acknowledgement) is not stored or shown twice
    again = author.emit("send", {"request_id": request_id, "text": "Здравствуйте", "client_id": "rt-1"},
                        namespace=NAMESPACE, callback=True)
    assert again["message"]["id"] == ack["message"]["id"]
    author.emit("typing", {"request_id": request_id}, namespace=NAMESPACE)
    typing = received(admin, "typing")
    assert typing and typing[0]["name"] == "Васильев А. М."


def test_socket_events_do_not_read_the_cookie_again(app, request_id, monkeypatch):
    """Each event runs with the socket's own copy of the session, made at connect: the cookie is not
    parsed and verified again for every event (it was two thirds of an event's context)."""
    author = socket_for(app, "requester1")
    opened = []
    open_cookie = SecureCookieSessionInterface.open_session
    monkeypatch.setattr(SecureCookieSessionInterface, "open_session",
                        lambda self, flask_app, request: opened.append(request.path) or open_cookie(self, flask_app, request))
    assert author.emit("join", {"request_id": request_id}, namespace=NAMESPACE, callback=True) == {"ok": True}
    for n in range(3):
        ack = author.emit("send", {"request_id": request_id, "text": f"Вопрос {n}"}, namespace=NAMESPACE, callback=True)
        assert ack["ok"] and ack["message"]["author"]["name"] == "Васильев А. М."
    assert "/socket.io" not in opened  # (the chat's writer opens an empty one per batch, at "/")
    assert login(app.test_client(), "requester1").get("/messages/").status_code == 200  # pages read it as before
    assert "/messages/" in opened


def test_a_stranger_cannot_join_or_send(app, request_id):
    stranger = socket_for(app, "consultant3")
    assert stranger.emit("join", {"request_id": request_id}, namespace=NAMESPACE, callback=True)["ok"] is False
    answer = stranger.emit("send", {"request_id": request_id, "text": "x"}, namespace=NAMESPACE, callback=True)
    assert answer["ok"] is False
    assert stranger.emit("join", {"request_id": "1 or 1=1"}, namespace=NAMESPACE, callback=True)["ok"] is False


def test_rest_and_system_messages_reach_the_sockets(app, request_id):
    from tests.conftest import api_token

    author = socket_for(app, "requester1")
    author.emit("join", {"request_id": request_id}, namespace=NAMESPACE, callback=True)
    author.get_received(NAMESPACE)
    app.test_client().post(f"/api/v1/requests/{request_id}/messages", json={"text": "Через REST"},
                           headers=api_token(app, "moadmin1"))
    with app.app_context():
        from app.extensions import db
        from app.models import ConsultationRequest
        from app.workflow import apply

        apply(user("consultant1"), db.session.get(ConsultationRequest, request_id), "take")
    texts = [m["text"] for m in received(author, "message")]
    assert texts == ["Через REST", "Заявка взята в работу: Иванов И. И."]


def handshake(app, origin):
    """The status of Socket.IO's first request (a browser sends its page's Origin with it)."""
    return app.test_client().get("/socket.io/?EIO=4&transport=polling", headers={"Origin": origin}).status_code


def test_only_the_portals_own_origins_may_open_a_socket(app):
    assert app.config["TMK_BASE_URL"] == "http://127.0.0.1:5000"
    assert handshake(app, "http://localhost") == 200  # the page's own origin (the test client's Host)
    assert handshake(app, "http://127.0.0.1:5000") == 200  # TMK_BASE_URL: the address behind a proxy
    assert handshake(app, "https://evil.example") == 400  # another site's page, with the user's cookie
    assert handshake(app, "http://localhost:8080") == 400
    extra = make_app(app.config["SQLALCHEMY_DATABASE_URI"], SOCKETIO_CORS_ORIGINS=["https://mis.region"])
    assert handshake(extra, "https://mis.region") == 200 and handshake(extra, "http://localhost") == 200


def bell_for(app, username):
    http = login(app.test_client(), username)
    return socketio.test_client(app, namespace=BELL, flask_test_client=http)


def unread_pushed(client):
    return [packet["args"][0]["unread"] for packet in client.get_received(BELL) if packet["name"] == "unread"]


def test_the_bell_is_for_signed_in_users_only(app):
    assert not socketio.test_client(app, namespace=BELL).is_connected(BELL)


def test_the_bell_rings_when_someone_acts_on_my_request(app, request_id):
    author, consultant = bell_for(app, "requester1"), bell_for(app, "consultant3")
    before = author.emit("count", namespace=BELL, callback=True)["unread"]
    with app.app_context():
        from app.extensions import db
        from app.models import ConsultationRequest
        from app.workflow import apply

        apply(user("consultant1"), db.session.get(ConsultationRequest, request_id), "take")
    assert unread_pushed(author) == [before + 1]
    assert unread_pushed(consultant) == []  # not a participant: nothing for his room
    # reading the notifications puts the bell of the author's other tabs back to 0
    login(app.test_client(), "requester1").get("/notifications/")
    assert unread_pushed(author) == [0]


def test_a_broadcast_does_not_need_a_second_database_connection(app, request_id):
    """With one connection in the pool, a message and the bell still go out at once: after-commit work
    runs once the session has given its connection back (the socket benchmark found every concurrent
    sender waiting 30 s for the pool)."""
    import time

    options = {"pool_size": 1, "max_overflow": 0, "pool_timeout": 3}
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql"):
        options["connect_args"] = {"options": "-c jit=off"}
    narrow = make_app(app.config["SQLALCHEMY_DATABASE_URI"], SQLALCHEMY_ENGINE_OPTIONS=options)
    author, admin = socket_for(narrow, "requester1"), socket_for(narrow, "moadmin1")
    bell = bell_for(narrow, "requester1")
    for client in (author, admin):
        assert client.emit("join", {"request_id": request_id}, namespace=NAMESPACE, callback=True) == {"ok": True}
    started = time.monotonic()
    ack = author.emit("send", {"request_id": request_id, "text": "Одно соединение"}, namespace=NAMESPACE,
                      callback=True)
    assert ack["ok"] and [m["id"] for m in received(admin, "message")] == [ack["message"]["id"]]
    with narrow.app_context():
        from app.extensions import db
        from app.models import ConsultationRequest
        from app.workflow import apply

        apply(user("consultant1"), db.session.get(ConsultationRequest, request_id), "take")
    assert len(unread_pushed(bell)) == 1
    assert time.monotonic() - started < 2.5  # not one pool timeout waited
