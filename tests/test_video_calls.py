"""Calls that ring (issue 14): «Позвонить консультанту» / «Позвонить всем участникам» through the API ring
every callee's /notifications sockets at once with the caller, the request's number and the patient's
initials only; a callee accepts or declines once, the caller sees it; whoever has not answered in time
missed it — a system message in the chat, a notification to him alone, an e-mail if he keeps «calls» on.
The call is a request's event: «Видеовызов» in the history, written by workflow.apply."""
import datetime
import time

import pytest

from app.extensions import db, socketio
from app.jobs import tasks
from app.jobs.mail import compose
from app.models import (
    ConsultationRequest,
    Message,
    Notification,
    RequestEvent,
    VideoCall,
    VideoCallee,
    utcnow,
)
from app.realtime.notifications import NAMESPACE
from app.video import calls
from app.workflow import apply, chat
from tests.conftest import api_token, login, make_app
from tests.requests_helpers import new_request, user

VIDEO = {"JITSI_DOMAIN": "meet.test", "JITSI_APP_ID": "tmk", "JITSI_APP_SECRET": "test-secret",
         # the timers of these tests never fire: each test settles its calls itself (one test sets its own)
         "TMK_VIDEO_CALL_TIMEOUT_SECONDS": 3600}


@pytest.fixture()
def app(app):
    """A fresh app over the same database with a video server: the process has one SocketIO object,
    serving the app built last."""
    return make_app(app.config["SQLALCHEMY_DATABASE_URI"], **VIDEO)


@pytest.fixture()
def taken(app):
    """A request of requester1 in work by consultant1: its chat has the author, the consultant and the МО
    administrators of both sides."""
    with app.app_context():
        request = new_request()
        apply(user("consultant1"), request, "take")
        return request.id


def socket_of(app, username):
    return socketio.test_client(app, namespace=NAMESPACE, flask_test_client=login(app.test_client(), username))


def received(client, name):
    return [packet["args"][0] for packet in client.get_received(NAMESPACE) if packet["name"] == name]


def call(app, request_id, username, to="consultant"):
    return app.test_client().post(f"/api/v1/requests/{request_id}/video/call", json={"to": to},
                                  headers=api_token(app, username))


def names(app, *usernames):
    with app.app_context():
        return [user(name).short_name for name in usernames]


def test_a_call_to_the_consultant_rings_him_at_once_with_the_initials_only(app, taken):
    consultant, author = socket_of(app, "consultant1"), socket_of(app, "requester1")
    answer = call(app, taken, "requester1")
    assert answer.status_code == 201, answer.json
    result = answer.json["result"]
    consultant_name, = names(app, "consultant1")
    assert result["callees"] == [{"user_id": result["callees"][0]["user_id"], "name": consultant_name,
                                  "state": "ringing"}]
    assert result["room_url"] == f"/requests/{taken}/video"
    ring, = received(consultant, "call_incoming")
    with app.app_context():
        request = db.session.get(ConsultationRequest, taken)
        assert ring == {"call_id": result["call_id"], "request_id": taken, "number": request.number,
                        "caller": user("requester1").short_name, "patient": "П. П. П.",
                        "room_url": f"/requests/{taken}/video", "expires_in": 3600}
        # the question, the diagnosis and the patient's name are never in it
        for secret in (request.question, request.diagnosis_text, request.patient.last_name):
            assert secret not in str(ring)
        event = db.session.query(RequestEvent).filter_by(request_id=taken, action="video_call").one()
        assert (event.actor.username, event.comment, event.from_status, event.to_status) == (
            "requester1", consultant_name, "in_work", "in_work")
        assert db.session.query(Message).filter_by(event_id=event.id).count() == 0  # the ring is the notice
    assert [p["call_id"] for p in received(author, "call_progress")] == [result["call_id"]]
    # the same caller cannot ring again while his call rings
    again = call(app, taken, "requester1")
    assert again.status_code == 409 and "ещё идёт" in again.json["message"]


def test_a_call_to_all_rings_every_member_of_the_chat_but_the_caller(app, taken):
    answer = call(app, taken, "consultant1", to="all")
    assert answer.status_code == 201, answer.json
    with app.app_context():
        members = {m.user.short_name for m in chat.dialog_of(db.session, taken).members
                   if m.removed_at is None and m.user.username != "consultant1"}
    assert {c["name"] for c in answer.json["result"]["callees"]} == members
    assert set(names(app, "requester1", "moadmin1", "moadmin2")) <= members


def test_who_may_call_whom(app, taken, monkeypatch):
    with app.app_context():
        fresh = new_request().id
    assert call(app, taken, "requester2").status_code == 404  # may not see it
    assert call(app, 2**31, "requester1").status_code == 404
    refused = {username: call(app, request_id, username, to).json["message"] for username, request_id, to in [
        ("coordinator1", taken, "all"),  # sees it, no seat in its chat
        ("consultant1", taken, "consultant"),  # himself
        ("requester1", fresh, "consultant"),  # nobody holds it yet
        ("consultant2", fresh, "all"),  # reads its chat before taking it: does not ring the author
    ]}
    assert refused == {"coordinator1": "Звонить по заявке могут только участники чата открытой заявки",
                       "consultant1": "Вы сами консультант этой заявки",
                       "requester1": "У заявки ещё нет консультанта: звонить некому",
                       "consultant2": "Звонить по заявке могут только участники чата открытой заявки"}
    anonymous = app.test_client().post(f"/api/v1/requests/{taken}/video/call", json={"to": "all"})
    assert anonymous.status_code == 401
    monkeypatch.setitem(app.config, "JITSI_APP_SECRET", "")
    unset = call(app, taken, "requester1")
    assert unset.status_code == 409 and unset.json["message"].startswith("Видеосервер не настроен")
    with app.app_context():
        assert db.session.query(VideoCall).filter_by(request_id=fresh).count() == 0


@pytest.mark.parametrize("body, status", [({}, 422), ({"to": "everyone"}, 422), ({"to": 5}, 422), ([1], 400)])
def test_bad_input_is_refused_in_russian(app, taken, body, status):
    answer = app.test_client().post(f"/api/v1/requests/{taken}/video/call", json=body,
                                    headers=api_token(app, "requester1"))
    assert answer.status_code == status
    message = str(answer.json["message"])
    assert any("а" <= ch <= "я" for ch in message.lower()), message


def test_decline_then_accept_each_once_and_the_caller_sees_it(app, taken):
    consultant, other_tab = socket_of(app, "consultant1"), socket_of(app, "consultant1")
    author = socket_of(app, "requester1")
    first = call(app, taken, "requester1").json["result"]["call_id"]
    received(author, "call_progress")
    received(other_tab, "call_incoming")
    # someone the call is not for cannot answer it, and nothing changes
    stranger = socket_of(app, "moadmin1")
    assert stranger.emit("call_answer", {"call_id": first, "accept": True}, namespace=NAMESPACE, callback=True) == {
        "ok": False, "error": "Такого вызова нет"}
    assert stranger.emit("call_answer", {"call_id": "1", "accept": 1}, namespace=NAMESPACE, callback=True)["ok"] is False
    declined = consultant.emit("call_answer", {"call_id": first, "accept": False}, namespace=NAMESPACE, callback=True)
    assert declined == {"ok": True, "call_id": first, "state": "declined", "room_url": f"/requests/{taken}/video"}
    assert received(other_tab, "call_ended") == [{"call_id": first, "state": "declined"}]  # it stops ringing there
    progress, = received(author, "call_progress")
    assert [c["state"] for c in progress["callees"]] == ["declined"] and progress["settled"]
    # the other tab answers too late
    late = other_tab.emit("call_answer", {"call_id": first, "accept": True}, namespace=NAMESPACE, callback=True)
    assert late == {"ok": False, "error": "Вызов уже завершён"}

    second = call(app, taken, "requester1").json["result"]["call_id"]  # the first one is settled
    accepted = other_tab.emit("call_answer", {"call_id": second, "accept": True}, namespace=NAMESPACE, callback=True)
    assert accepted["ok"] and accepted["state"] == "accepted"
    assert [c["state"] for c in received(author, "call_progress")[-1]["callees"]] == ["accepted"]
    with app.app_context():
        states = [c.state for c in db.session.query(VideoCallee).filter(VideoCallee.call_id.in_((first, second)))
                  .order_by(VideoCallee.call_id)]
        assert states == ["declined", "accepted"]
        # neither an answer nor a decline is a missed call
        assert db.session.query(RequestEvent).filter_by(request_id=taken, action="video_call_missed").count() == 0


def test_a_page_opened_while_a_call_rings_shows_it(app, taken):
    call_id = call(app, taken, "requester1").json["result"]["call_id"]

    def about_this_request(state):  # the other tests' calls ring in the same database
        return {way: [c["call_id"] for c in found if c["request_id"] == taken] for way, found in state.items()}

    state = socket_of(app, "consultant1").emit("calls", namespace=NAMESPACE, callback=True)
    assert about_this_request(state) == {"incoming": [call_id], "outgoing": []}
    own = socket_of(app, "requester1").emit("calls", namespace=NAMESPACE, callback=True)
    assert about_this_request(own) == {"incoming": [], "outgoing": [call_id]}


def test_whoever_does_not_answer_in_time_missed_the_call(app, taken):
    caller, missing = socket_of(app, "consultant1"), socket_of(app, "moadmin2")
    with app.app_context():
        admin = user("moadmin2")
        admin.email_events = [group for group in admin.email_events if group != "calls"]  # only the bell
        db.session.commit()
    result = call(app, taken, "consultant1", to="all").json["result"]
    callee = {c["name"]: c["user_id"] for c in result["callees"]}
    author_name, admin_name, consultant_name = names(app, "requester1", "moadmin2", "consultant1")
    # the author declines; the others do not answer
    assert socket_of(app, "requester1").emit("call_answer", {"call_id": result["call_id"], "accept": False},
                                             namespace=NAMESPACE, callback=True)["ok"]
    received(caller, "call_progress")
    with app.app_context():
        call_row = db.session.get(VideoCall, result["call_id"])
        assert calls.settle(call_row.id, call_row.expires_at - datetime.timedelta(seconds=1)) == []  # not yet
        after = call_row.expires_at + datetime.timedelta(seconds=1)
        missed = calls.settle(call_row.id, after)
        assert set(missed) == set(callee.values()) - {callee[author_name]}
        assert calls.settle(call_row.id, after) == []  # settled once: a second timer or the sweep do nothing
        calls.settle_due(after)
        event = db.session.query(RequestEvent).filter_by(request_id=taken, action="video_call_missed").one()
        assert event.actor.username == "consultant1" and admin_name in event.comment and author_name not in event.comment
        message = db.session.query(Message).filter_by(event_id=event.id).one()
        text = chat.system_text(message.event)
        assert text.startswith(f"Пропущенный видеовызов от {consultant_name}; без ответа: ") and admin_name in text
        told = {n.user_id: n for n in db.session.query(Notification).filter_by(event_id=event.id)}
        assert set(told) == set(missed)  # the callees who missed it, nobody else
        assert told[callee[admin_name]].email_state == "none" and told[callee[admin_name]].in_portal
        wants_mail = [n for n in told.values() if n.email_state != "none"]
        assert wants_mail
        with app.test_request_context(base_url=app.config["TMK_BASE_URL"]):
            mail = compose(wants_mail[0])
        request = event.request
        assert "Пропущенный видеовызов" in mail.subject and f"/requests/{taken}" in mail.body
        for secret in (request.patient.last_name, request.question, request.diagnosis_text):
            assert secret not in mail.body and secret not in mail.subject
    assert {"call_id": result["call_id"], "state": "missed"} in received(missing, "call_ended")
    progress = [p for p in received(caller, "call_progress") if p["call_id"] == result["call_id"]]
    states = {c["name"]: c["state"] for c in progress[-1]["callees"]}
    assert states[author_name] == "declined" and states[admin_name] == "missed"


def test_the_minute_sweep_settles_a_call_no_timer_settled(app, taken):
    call_id = call(app, taken, "requester1").json["result"]["call_id"]
    with app.app_context():
        db.session.get(VideoCall, call_id).expires_at = utcnow() - datetime.timedelta(seconds=1)  # its process stopped
        db.session.commit()
        tasks.settle_video_calls()
        assert db.session.get(VideoCall, call_id).settled_at is not None
        assert [c.state for c in db.session.get(VideoCall, call_id).callees] == ["missed"]


def test_the_timer_of_the_ringing_process_settles_the_call(app, taken, monkeypatch):
    monkeypatch.setitem(app.config, "TMK_VIDEO_CALL_TIMEOUT_SECONDS", 0.5)
    author = socket_of(app, "requester1")
    call_id = call(app, taken, "requester1").json["result"]["call_id"]
    deadline = time.time() + 15
    while time.time() < deadline:
        progress = [p for p in received(author, "call_progress") if p["call_id"] == call_id and p["settled"]]
        if progress:
            break
        time.sleep(0.2)
    assert progress and [c["state"] for c in progress[-1]["callees"]] == ["missed"]


def test_the_chat_shows_the_call_buttons_to_its_members_when_video_is_set_up(app, taken, monkeypatch):
    page = login(app.test_client(), "requester1").get(f"/requests/{taken}").get_data(as_text=True)
    assert "Позвонить консультанту" in page and "Позвонить всем участникам" in page
    assert f'data-call-url="/api/v1/requests/{taken}/video/call"' in page
    # the consultant himself calls everyone; a colleague who only sees the request has no buttons
    mine = login(app.test_client(), "consultant1").get(f"/requests/{taken}").get_data(as_text=True)
    assert "Позвонить консультанту" not in mine and "Позвонить всем участникам" in mine
    assert "Позвонить" not in login(app.test_client(), "coordinator1").get(f"/requests/{taken}").get_data(as_text=True)
    # every page of a signed-in user can ring
    home = login(app.test_client(), "consultant2").get("/requests/available/").get_data(as_text=True)
    assert 'id="tmk-calls"' in home and "js/calls.js" in home
    monkeypatch.setitem(app.config, "JITSI_APP_ID", "")
    assert "Позвонить" not in login(app.test_client(), "requester1").get(f"/requests/{taken}").get_data(as_text=True)


# ---- several processes: the call reaches the callee whichever process his socket is on (Redis)

@pytest.fixture(scope="module")
def two_processes():
    """`python run.py` and `gunicorn -k gevent` over one PostgreSQL database and one Redis channel, with a
    video server and calls that ring 4 s; a request of requester1 in work by consultant1."""
    import os
    import shutil
    import tempfile
    import uuid
    from pathlib import Path

    from tests.conftest import prepare_database
    from tests.databases import drop_database, fresh_database
    from tests.test_realtime_processes import DATABASE, REDIS, Server

    if not (DATABASE and REDIS):
        pytest.skip("needs TEST_DATABASE_URL and TEST_REDIS_URL")
    folder = Path(tempfile.mkdtemp(prefix="tmk-calls-"))
    url = fresh_database("postgresql", folder)
    setup = make_app(url)
    prepare_database(setup)
    with setup.app_context():
        from app.models import TmkUser

        # no mail: its jobs would go to the shared queue of other runs' workers
        db.session.query(TmkUser).update({TmkUser.email_notifications: False})
        db.session.commit()
        request = new_request()
        apply(user("consultant1"), request, "take")
        request_id = request.id
        db.session.remove()
        db.engine.dispose()
    env = {**os.environ, "DATABASE_URL": url, "REDIS_URL": REDIS, "TMK_SOCKETIO_CHANNEL": f"tmk-calls-{uuid.uuid4().hex}",
           "SECRET_KEY": uuid.uuid4().hex, "TMK_INSTANCE_PATH": str(folder / "instance"), "AUTH_RATE_LIMITED": "false",
           **{name: str(value) for name, value in VIDEO.items()}, "TMK_VIDEO_CALL_TIMEOUT_SECONDS": "4"}
    servers = [Server(env, folder), Server(env, folder, gevent=True)]
    try:
        for server in servers:
            server.wait_ready()
        yield servers, request_id
    finally:
        for server in servers:
            server.stop()
        drop_database(url)
        shutil.rmtree(folder, ignore_errors=True)


def _bell_socket(server, username):
    """A python-socketio client on /notifications with the user's session cookie; what it gets, in order."""
    import socketio as python_socketio

    from tests.test_realtime_processes import WAIT, logged_in

    http = logged_in(server, username)
    client, got = python_socketio.Client(reconnection=False), []
    for event in (calls.INCOMING, calls.ENDED, calls.PROGRESS):
        client.on(event, lambda data, event=event: got.append((event, data)), namespace=NAMESPACE)
    client.connect(server.url, headers={"Cookie": "; ".join(f"{c.name}={c.value}" for c in http.cookies)},
                   transports=["websocket"], namespaces=[NAMESPACE], wait_timeout=WAIT)
    return client, got


def _first(got, event, call_id, settled=False):
    """The first payload of that event about that call (only a settled one's progress with ``settled``)."""
    from tests.test_realtime_processes import wait_until

    return wait_until(lambda: next((data for name, data in list(got) if name == event and data["call_id"] == call_id
                                    and (not settled or data["settled"])), None), f"{event} of call {call_id}")


@pytest.mark.parametrize("caller_on", [0, 1], ids=["call-through-threading", "call-through-gevent"])
def test_a_call_through_one_process_rings_on_the_other_and_its_timer_settles_it(two_processes, caller_on):
    import requests

    servers, request_id = two_processes
    caller_server, callee_server = servers[caller_on], servers[1 - caller_on]
    consultant, rings = _bell_socket(callee_server, "consultant1")
    author, progress = _bell_socket(caller_server, "requester1")
    try:
        token = requests.post(f"{caller_server.url}/api/v1/security/login", json={
            "username": "requester1", "password": "Demo-2026!", "provider": "db"}, timeout=10).json()["access_token"]

        def ring():
            answer = requests.post(f"{caller_server.url}/api/v1/requests/{request_id}/video/call",
                                   json={"to": "consultant"}, headers={"Authorization": f"Bearer {token}"}, timeout=10)
            assert answer.status_code == 201, answer.text
            return answer.json()["result"]["call_id"]

        # answered on the other process: the caller's process tells the caller
        first = ring()
        assert _first(rings, calls.INCOMING, first)["request_id"] == request_id
        assert consultant.call("call_answer", {"call_id": first, "accept": False}, namespace=NAMESPACE,
                               timeout=20)["ok"]
        assert [c["state"] for c in _first(progress, calls.PROGRESS, first, settled=True)["callees"]] == ["declined"]
        # not answered: the timer of the process that rang settles it, the callee's window closes
        second = ring()
        _first(rings, calls.INCOMING, second)
        assert _first(rings, calls.ENDED, second) == {"call_id": second, "state": "missed"}
        settled = _first(progress, calls.PROGRESS, second, settled=True)
        assert [c["state"] for c in settled["callees"]] == ["missed"]
    finally:
        consultant.disconnect()
        author.disconnect()
