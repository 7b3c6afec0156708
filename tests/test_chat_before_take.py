"""The chat of a new request before it is taken (issue 13, item 5; the manual has the chat from the
request's creation): a consultant who may take it reads it — REST history, socket, files, the request
page read-only — and writes nothing; reading makes him no member and moves no read mark; the take by a
colleague (any change of the request) ends it, at once on an open socket too."""
import io

import pytest

from app.documents.storage import store_upload
from app.extensions import db, socketio
from app.models import ConsultationRequest, DialogMember
from app.realtime.chat import NAMESPACE
from app.workflow import apply, chat
from tests.conftest import api_token, login, make_app, visible_text
from tests.requests_helpers import new_request, user

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n%before-take\n"


@pytest.fixture()
def app(app):
    """A fresh app over the same database: the process's one SocketIO object serves the app built last."""
    return make_app(app.config["SQLALCHEMY_DATABASE_URI"])


@pytest.fixture()
def fresh(app):
    """A new кардиология request of requester1 in ГКБ № 1's common queue, with a text and a file in its chat."""
    with app.app_context():
        author = user("requester1")
        request = new_request(author="requester1")
        dialog = chat.dialog_of(db.session, request.id)
        chat.post_message(db.session, dialog, author, "Пациент в палате 5")
        posted = chat.post_file(db.session, dialog, author, store_upload(author, "ЭКГ.pdf", PDF + request.number.encode()))
        db.session.commit()
        return {"id": request.id, "dialog": dialog.id, "message": posted.id, "document": posted.document.id}


def messages_url(request_id: int) -> str:
    return f"/api/v1/requests/{request_id}/messages"


def seats(app, dialog_id: int) -> dict[str, int]:
    """username → read mark of each member of the dialog."""
    with app.app_context():
        return {member.user.username: member.last_read_message_id
                for member in db.session.query(DialogMember).filter_by(dialog_id=dialog_id)}


def unread(app, username: str) -> dict[int, int]:
    with app.app_context():
        return chat.unread_counts(db.session, user(username))


def socket_for(app, username):
    return socketio.test_client(app, namespace=NAMESPACE, flask_test_client=login(app.test_client(), username))


def payload(packet):
    args = packet["args"]
    return args[0] if isinstance(args, list) else args


def received(socket, name):
    return [payload(packet) for packet in socket.get_received(NAMESPACE) if packet["name"] == name]


def test_a_consultant_who_may_take_it_reads_the_history_and_leaves_no_trace(app, fresh):
    before, unread_before = seats(app, fresh["dialog"]), unread(app, "requester1")
    client = app.test_client()
    for username in ("consultant1", "consultant2"):  # both in the queue of кардиология of ГКБ № 1
        answer = client.get(messages_url(fresh["id"]), headers=api_token(app, username))
        assert answer.status_code == 200
        assert [m["kind"] for m in answer.json["result"]] == ["system", "text", "file"]
        assert answer.json["result"][1]["text"] == "Пациент в палате 5"
    # no seat, no read mark, nobody's unread count moved, and no chat in his «Сообщения»
    assert seats(app, fresh["dialog"]) == before and "consultant1" not in before
    assert unread(app, "requester1") == unread_before
    assert fresh["dialog"] not in unread(app, "consultant1")
    with app.app_context():
        number = db.session.get(ConsultationRequest, fresh["id"]).number
    # by its number: the helper's patient «Пациентов» is in other tests' requests of the shared database
    assert number not in visible_text(login(app.test_client(), "consultant1").get("/messages/").get_data(as_text=True))


def test_he_writes_nothing_before_the_take(app, fresh):
    client, headers = app.test_client(), api_token(app, "consultant1")
    refused = client.post(messages_url(fresh["id"]), json={"text": "Возьму позже"}, headers=headers)
    assert refused.status_code == 403
    assert refused.json["message"] == "Чат доступен для записи после взятия заявки в работу"
    upload = client.post(messages_url(fresh["id"]), data={"file": (io.BytesIO(PDF), "a.pdf")},
                         headers=headers, content_type="multipart/form-data")
    assert upload.status_code == 403
    socket = socket_for(app, "consultant1")
    assert socket.emit("join", {"request_id": fresh["id"]}, namespace=NAMESPACE, callback=True) == {
        "ok": True, "read_only": True}
    assert not socket.emit("send", {"request_id": fresh["id"], "text": "Сокетом"}, namespace=NAMESPACE,
                           callback=True)["ok"]
    socket.emit("typing", {"request_id": fresh["id"]}, namespace=NAMESPACE)
    author = socket_for(app, "requester1")
    author.emit("join", {"request_id": fresh["id"]}, namespace=NAMESPACE, callback=True)
    assert received(author, "typing") == []
    history = client.get(messages_url(fresh["id"]), headers=api_token(app, "requester1")).json["result"]
    assert [m["kind"] for m in history] == ["system", "text", "file"]  # nothing of his was stored


def test_a_reader_hears_the_chat_until_a_colleague_takes_it(app, fresh):
    reader, author = socket_for(app, "consultant2"), socket_for(app, "requester1")
    assert reader.emit("join", {"request_id": fresh["id"]}, namespace=NAMESPACE, callback=True)["ok"]
    assert author.emit("join", {"request_id": fresh["id"]}, namespace=NAMESPACE, callback=True) == {"ok": True}
    author.emit("send", {"request_id": fresh["id"], "text": "Срочно, пожалуйста"}, namespace=NAMESPACE, callback=True)
    assert [m["text"] for m in received(reader, "message")] == ["Срочно, пожалуйста"]
    with app.app_context():
        apply(user("consultant1"), db.session.get(ConsultationRequest, fresh["id"]), "take")
        db.session.commit()
    # the take's system message, then the notice: he asks again and is refused
    events = reader.get_received(NAMESPACE)
    assert [e["name"] for e in events] == ["message", "chat_access"]
    assert payload(events[1]) == {"request_id": fresh["id"]}
    assert reader.emit("join", {"request_id": fresh["id"]}, namespace=NAMESPACE, callback=True)["ok"] is False
    author.emit("send", {"request_id": fresh["id"], "text": "Спасибо"}, namespace=NAMESPACE, callback=True)
    assert received(reader, "message") == []  # out of the room
    gone = app.test_client().get(messages_url(fresh["id"]), headers=api_token(app, "consultant2"))
    assert gone.status_code == 404
    # the one who took it writes as a member
    taker = app.test_client().post(messages_url(fresh["id"]), json={"text": "Взял"}, headers=api_token(app, "consultant1"))
    assert taker.status_code == 201


def test_the_chat_files_are_his_to_read_until_the_take(app, fresh):
    file_url = f"{messages_url(fresh['id'])}/{fresh['message']}/file"
    client = login(app.test_client(), "consultant2")
    assert app.test_client().get(file_url, headers=api_token(app, "consultant2")).status_code == 200
    assert client.get(f"/documents/{fresh['document']}/download").status_code == 200
    assert login(app.test_client(), "consultant3").get(f"/documents/{fresh['document']}/download").status_code == 404
    assert login(app.test_client(), "coordinator1").get(f"/documents/{fresh['document']}/download").status_code == 404
    with app.app_context():
        apply(user("consultant1"), db.session.get(ConsultationRequest, fresh["id"]), "take")
        db.session.commit()
    assert client.get(f"/documents/{fresh['document']}/download").status_code == 404
    assert app.test_client().get(file_url, headers=api_token(app, "consultant2")).status_code == 404


def test_the_request_page_shows_the_chat_read_only(app, fresh):
    reader = login(app.test_client(), "consultant1").get(f"/requests/{fresh['id']}").get_data(as_text=True)
    assert 'id="tmk-chat"' in reader and 'data-read-only="true"' in reader
    assert "Чат доступен для записи после взятия заявки в работу" in reader
    assert "tmk-chat-text" not in reader and "recorder.js" not in reader
    member = login(app.test_client(), "requester1").get(f"/requests/{fresh['id']}").get_data(as_text=True)
    assert 'id="tmk-chat-text"' in member and "data-read-only" not in member
    assert "Чат доступен для записи" not in member
    # the coordinator sees the request, not its chat (he assigns it, he does not take it)
    coordinator = login(app.test_client(), "coordinator1").get(f"/requests/{fresh['id']}").get_data(as_text=True)
    assert 'id="tmk-chat"' not in coordinator


def test_only_what_he_may_take_is_read(app):
    """A draft, another МО's queue, a coordinator's route (nothing to take until he is designated)."""
    with app.app_context():
        draft = new_request(author="requester1", submit=False).id
        elsewhere = new_request(author="requester1", org="ОКБ").id
        neurology = new_request(author="requester1", profile="Неврология").id
    client = app.test_client()
    assert client.get(messages_url(draft), headers=api_token(app, "consultant1")).status_code == 404
    assert client.get(messages_url(elsewhere), headers=api_token(app, "consultant1")).status_code == 404
    assert client.get(messages_url(elsewhere), headers=api_token(app, "consultant3")).status_code == 200
    assert client.get(messages_url(neurology), headers=api_token(app, "consultant2")).status_code == 404
