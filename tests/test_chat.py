"""The request's chat follows the request: opened on submission, members added as people join,
a system message for every transition; messages are stored once."""
import pytest

from app.extensions import db
from app.models import Dialog, DialogMember, Message
from app.workflow import chat
from app.workflow import apply
from app.core.errors import InvalidInput
from tests.requests_helpers import new_request, user


@pytest.fixture()
def ctx(app):
    with app.app_context():
        yield
        db.session.rollback()


def members(request):
    dialog = chat.dialog_of(db.session, request.id)
    return {m.user.username for m in db.session.query(DialogMember).filter_by(dialog_id=dialog.id)}


def system_texts(request):
    dialog = chat.dialog_of(db.session, request.id)
    return [chat.system_text(m.event) for m in chat.history(db.session, dialog) if m.kind == "system"]


def test_no_dialog_for_a_draft_one_on_submission(ctx):
    draft = new_request(submit=False)
    assert chat.dialog_of(db.session, draft.id) is None
    apply(user("requester1"), draft, "submit")
    assert chat.dialog_of(db.session, draft.id) is not None
    # author and the МО administrators of both sides
    assert members(draft) == {"requester1", "moadmin1", "moadmin2"}


def test_membership_and_system_messages_follow_the_request(ctx):
    request = new_request()
    apply(user("consultant1"), request, "take")
    apply(user("consultant1"), request, "request_info", {"comment": "Нужна ЭКГ"})
    apply(user("requester1"), request, "provide_info", {"comment": "Вот ЭКГ"})
    apply(user("consultant1"), request, "transfer", {"consultant_id": user("consultant2").id, "comment": "Отпуск"})
    assert {"consultant1", "consultant2"} <= members(request)
    apply(user("consultant2"), request, "take")
    apply(user("consultant2"), request, "refuse", {"comment": "Не по профилю"})
    with app_locale():
        texts = system_texts(request)
    assert texts[0] == "Заявка отправлена"
    assert "Заявка взята в работу: Иванов И. И." in texts
    assert "Запрошена дополнительная информация: Нужна ЭКГ" in texts
    assert "Заявка передана врачу Петров П. А.: Отпуск" in texts
    assert texts[-1] == "Отказ в консультации: Не по профилю"


def app_locale():
    from flask import current_app

    return current_app.test_request_context()


def test_a_retried_send_is_stored_once(ctx):
    request = new_request()
    dialog = chat.dialog_of(db.session, request.id)
    first = chat.post_message(db.session, dialog, user("requester1"), "Добрый день", client_id="abc-1")
    again = chat.post_message(db.session, dialog, user("requester1"), "Добрый день", client_id="abc-1")
    db.session.commit()
    assert first.id == again.id
    assert db.session.query(Message).filter_by(dialog_id=dialog.id, client_id="abc-1").count() == 1


def test_empty_or_long_messages_are_refused(ctx):
    request = new_request()
    dialog = chat.dialog_of(db.session, request.id)
    with pytest.raises(InvalidInput):
        chat.post_message(db.session, dialog, user("requester1"), "   ")
    with pytest.raises(InvalidInput):
        chat.post_message(db.session, dialog, user("requester1"), "x" * 4001)


def test_unread_counts_and_read_marks(ctx):
    request = new_request()
    dialog = chat.dialog_of(db.session, request.id)
    message = chat.post_message(db.session, dialog, user("requester1"), "Вопрос")
    db.session.commit()
    admin = user("moadmin1")
    assert chat.unread_counts(db.session, admin)[dialog.id] == 2  # the system message and the text
    assert dialog.id not in chat.unread_counts(db.session, user("requester1"))  # read up to his own message
    chat.mark_read(db.session, dialog, admin, message.id)
    db.session.commit()
    assert dialog.id not in chat.unread_counts(db.session, admin)


def test_history_after_an_id_gives_what_was_missed(ctx):
    request = new_request()
    dialog = chat.dialog_of(db.session, request.id)
    seen = chat.history(db.session, dialog)[-1].id
    new = [chat.post_message(db.session, dialog, user("requester1"), f"Сообщение {i}") for i in range(3)]
    db.session.commit()
    assert [m.id for m in chat.history(db.session, dialog, after=seen)] == [m.id for m in new]
    assert isinstance(db.session.get(Dialog, dialog.id).last_message_at, type(new[-1].created_at))


# ---- the chat over REST: members only ----

def test_members_read_and_write_others_get_404(app):
    from tests.conftest import api_token

    with app.app_context():
        request_id = new_request().id
    client = app.test_client()
    author, stranger = api_token(app, "requester1"), api_token(app, "consultant3")
    sent = client.post(f"/api/v1/requests/{request_id}/messages", json={"text": "<img src=x onerror=alert(1)>",
                                                                        "client_id": "k1"}, headers=author)
    assert sent.status_code == 201 and sent.json["result"]["text"] == "<img src=x onerror=alert(1)>"
    again = client.post(f"/api/v1/requests/{request_id}/messages", json={"text": "<img src=x onerror=alert(1)>",
                                                                         "client_id": "k1"}, headers=author)
    assert again.json["result"]["id"] == sent.json["result"]["id"]
    listed = client.get(f"/api/v1/requests/{request_id}/messages", headers=api_token(app, "moadmin1")).json["result"]
    assert [m["kind"] for m in listed] == ["system", "text"] and listed[0]["text"] == "Заявка отправлена"
    newer = client.get(f"/api/v1/requests/{request_id}/messages?after={listed[0]['id']}", headers=author).json
    assert [m["id"] for m in newer["result"]] == [sent.json["result"]["id"]]
    assert client.get(f"/api/v1/requests/{request_id}/messages", headers=stranger).status_code == 404
    assert client.post(f"/api/v1/requests/{request_id}/messages", json={"text": "x"}, headers=stranger).status_code == 404
    # the regional administrator sees the request but is not in its chat
    assert client.get(f"/api/v1/requests/{request_id}/messages", headers=api_token(app, "regadmin")).status_code == 404
    assert client.post(f"/api/v1/requests/{request_id}/messages", json={"text": " "}, headers=author).status_code == 422
    assert client.post(f"/api/v1/requests/{request_id}/messages", data="x", headers=author).status_code == 400
    assert client.get(f"/api/v1/requests/{request_id}/messages?after=x", headers=author).status_code == 400


def test_a_removed_member_can_no_longer_read(app):
    from tests.conftest import api_token

    with app.app_context():
        request = new_request()
        dialog = chat.dialog_of(db.session, request.id)
        member = db.session.query(DialogMember).filter_by(dialog_id=dialog.id, user_id=user("moadmin1").id).one()
        from app.models import utcnow

        member.removed_at = utcnow()
        db.session.commit()
        request_id = request.id
    response = app.test_client().get(f"/api/v1/requests/{request_id}/messages", headers=api_token(app, "moadmin1"))
    assert response.status_code == 404


def test_messages_lists_my_chats_newest_first_with_unread_and_finished_in_grey(app, client_for):
    from tests.conftest import visible_text

    with app.app_context():
        older, newer = new_request(), new_request()
        finished = new_request()
        apply(user("requester1"), finished, "cancel", {"comment": "Не нужна"})
        dialog = chat.dialog_of(db.session, older.id)
        chat.post_message(db.session, dialog, user("requester1"), "Свежий вопрос")
        db.session.commit()
        numbers = older.number, newer.number, finished.number
    html = client_for("moadmin1").get("/messages/").get_data(as_text=True)
    positions = [html.index(number) for number in numbers]
    assert positions[0] < positions[1]  # the dialog with the latest message first
    finished_item = html[:positions[2]].rsplit("<a ", 1)[1]
    assert "tmk-dialog-finished" in finished_item
    assert 'class="badge tmk-unread"' in html
    assert "Сообщения" in visible_text(html)
    found = client_for("moadmin1").get("/messages/?q=" + numbers[0]).get_data(as_text=True)
    assert numbers[0] in found and numbers[1] not in found
    assert numbers[0] not in client_for("consultant3").get("/messages/").get_data(as_text=True)
