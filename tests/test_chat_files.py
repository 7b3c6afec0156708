"""Files in the request chat and «Документы» (manual §3.4.2–3.4.3): real uploads over REST and from the
page, types decided by content, the size limit, one copy per content, a safe Content-Disposition, and
one reading rule for every download: owner, active chat member, or someone who sees a request the
document is attached to; anyone else gets 404 and an audit record."""
import datetime
import io
import re
import uuid
import zipfile
from pathlib import Path
from urllib.parse import quote

import pytest

from app.documents.storage import open_document, store_bytes
from app.extensions import db, socketio
from app.models import AuditEvent, DialogMember, Document, Message, RequestAttachment, utcnow
from app.realtime.chat import NAMESPACE
from app.security.documents import may_read_document
from app.workflow import chat
from tests.conftest import DEMO_PASSWORD, login, make_app, visible_text
from tests.requests_helpers import new_request, user
from tests.conftest import api_token

PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00binary"
WEBM = b"\x1aE\xdf\xa3\x9fB\x86\x81\x01B\xf7\x81\x01B\xf2\x81\x04B\xf3\x81\x08B\x82\x84webm"


def docx() -> bytes:
    data = io.BytesIO()
    with zipfile.ZipFile(data, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
    return data.getvalue()


def unique(data: bytes) -> bytes:
    """Bytes of the same type no other test stored (the store keeps one copy per content)."""
    return data + uuid.uuid4().hex.encode()


def messages_url(request_id: int) -> str:
    return f"/api/v1/requests/{request_id}/messages"


def upload(client, request_id, name, data, headers=None, **fields):
    return client.post(messages_url(request_id), data={"file": (io.BytesIO(data), name), **fields},
                       content_type="multipart/form-data", headers=headers or {})


def denials(app, document_id) -> int:
    with app.app_context():
        return db.session.query(AuditEvent).filter_by(action="read_denied", object_type="document",
                                                      object_id=str(document_id)).count()


@pytest.fixture()
def request_id(app):
    with app.app_context():
        return new_request().id  # chat members: requester1 (author), moadmin1, moadmin2


# ---- uploads over REST and from the page ----

def test_a_file_sent_over_rest_is_typed_by_its_content(app, request_id):
    author = api_token(app, "requester1")
    sent = upload(app.test_client(), request_id, "снимок.png", unique(PNG), author, text="Снимок ЭКГ")
    assert sent.status_code == 201, sent.json
    message = sent.json["result"]
    assert message["kind"] == "file" and message["text"] == "Снимок ЭКГ"
    file = message["file"]
    assert file["name"] == "снимок.png" and file["content_type"] == "image/png" and file["preview"] == "image"
    assert file["type"] == "Изображение PNG" and file["size"] == len(PNG) + 32
    assert file["download_url"] == f"/documents/{file['id']}/download"
    assert file["preview_url"] == f"/documents/{file['id']}/view"
    # the history gives the same file to the other members
    listed = app.test_client().get(messages_url(request_id), headers=api_token(app, "moadmin1")).json["result"]
    assert listed[-1]["file"] == file


def test_an_exe_renamed_pdf_is_refused_in_russian(app, request_id):
    sent = upload(app.test_client(), request_id, "выписка.pdf", EXE, api_token(app, "requester1"))
    assert sent.status_code == 422
    assert sent.json["message"].startswith("Файл выписка.pdf имеет тип, который портал не принимает")
    with app.app_context():
        assert db.session.query(Document).filter_by(name="выписка.pdf", size=len(EXE)).count() == 0


def test_an_upload_over_the_limit_gets_413_in_russian(app, request_id, monkeypatch):
    monkeypatch.setenv("TMK_MAX_UPLOAD_MB", "1")
    small = make_app(app.config["SQLALCHEMY_DATABASE_URI"])
    assert small.config["MAX_CONTENT_LENGTH"] == 1024 * 1024
    big = PDF + b"0" * (1024 * 1024)
    sent = upload(small.test_client(), request_id, "большой.pdf", big, api_token(small, "requester1"))
    assert sent.status_code == 413
    assert sent.json["message"] == "Файл больше 1 МБ — это наибольший размер, который принимает портал"
    assert upload(small.test_client(), request_id, "малый.pdf", unique(PDF), api_token(small, "requester1")).status_code == 201


def test_the_same_content_is_stored_once_on_disk(app, request_id):
    data = unique(PDF)
    first = upload(app.test_client(), request_id, "один.pdf", data, api_token(app, "requester1")).json["result"]
    second = upload(app.test_client(), request_id, "другой.pdf", data, api_token(app, "moadmin1")).json["result"]
    assert first["file"]["id"] != second["file"]["id"]
    with app.app_context():
        documents = [db.session.get(Document, m["file"]["id"]) for m in (first, second)]
        assert documents[0].sha256 == documents[1].sha256
        assert {d.owner.username for d in documents} == {"requester1", "moadmin1"}
        path = open_document(documents[0])
        assert path.read_bytes() == data
        # the storage name is the server's, not the user's
        assert path.name == documents[0].sha256
        assert list((Path(app.instance_path) / "files").rglob(documents[0].sha256 + "*")) == [path]


def test_the_page_uploads_with_its_session_and_csrf_token(app, request_id):
    protected = make_app(app.config["SQLALCHEMY_DATABASE_URI"], WTF_CSRF_ENABLED=True)
    client = protected.test_client()
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', client.get("/login/").get_data(as_text=True))
    client.post("/login/", data={"username": "requester1", "password": DEMO_PASSWORD, "csrf_token": token.group(1)})
    page = client.get(f"/requests/{request_id}").get_data(as_text=True)
    chat_token = re.search(r'<meta name="csrf-token" content="([^"]+)"', page).group(1)
    # another site's form could post a file with the cookie: without the page's token it is refused
    forged = upload(client, request_id, "скан.png", unique(PNG))
    assert forged.status_code == 400 and forged.json["message"].startswith("Страница устарела")
    sent = upload(client, request_id, "скан.png", unique(PNG), {"X-CSRFToken": chat_token})
    assert sent.status_code == 201 and sent.json["result"]["file"]["name"] == "скан.png"


def test_a_retried_upload_is_one_message_and_one_document(app, request_id):
    author = api_token(app, "requester1")
    data = unique(PDF)
    first = upload(app.test_client(), request_id, "повтор.pdf", data, author, client_id="file-1").json["result"]
    again = upload(app.test_client(), request_id, "повтор.pdf", data, author, client_id="file-1").json["result"]
    assert again["id"] == first["id"] and again["file"]["id"] == first["file"]["id"]
    with app.app_context():
        assert db.session.query(Document).filter_by(name="повтор.pdf").count() == 1


def test_a_recording_becomes_an_audio_or_video_message(app, request_id):
    author = api_token(app, "requester1")
    audio = upload(app.test_client(), request_id, "Аудиосообщение.webm", unique(WEBM), author, recorded="audio")
    assert audio.status_code == 201
    assert audio.json["result"]["kind"] == "audio"
    # a WebM sniffs as video/webm even with only a sound track; the recorder said it is sound
    assert audio.json["result"]["file"]["content_type"] == "audio/webm"
    assert audio.json["result"]["file"]["preview"] == "audio"
    video = upload(app.test_client(), request_id, "Видеосообщение.webm", unique(WEBM), author, recorded="video")
    assert video.json["result"]["kind"] == "video" and video.json["result"]["file"]["preview"] == "video"
    plain = upload(app.test_client(), request_id, "запись.webm", unique(WEBM), author)
    assert plain.json["result"]["kind"] == "file" and plain.json["result"]["file"]["content_type"] == "video/webm"
    wrong = upload(app.test_client(), request_id, "запись.pdf", unique(PDF), author, recorded="audio")
    assert wrong.status_code == 422 and wrong.json["message"] == "Запись должна быть в формате WebM, Ogg или MP4"
    played = app.test_client().get(audio.json["result"]["file"]["preview_url"])
    assert played.status_code == 302  # a page endpoint: signed-in users only


def test_a_recording_is_named_in_the_portals_time_zone(app, request_id):
    """Not in the browser's zone (often UTC): the file reads with the time the pages show."""
    from zoneinfo import ZoneInfo

    author = api_token(app, "requester1")
    zone = ZoneInfo(app.config["BABEL_DEFAULT_TIMEZONE"])
    before = datetime.datetime.now(zone).replace(tzinfo=None, microsecond=0)
    audio = upload(app.test_client(), request_id, "Аудиосообщение.webm", unique(WEBM), author, recorded="audio")
    after = datetime.datetime.now(zone).replace(tzinfo=None)
    name = audio.json["result"]["file"]["name"]
    stamp = re.fullmatch(r"Аудиосообщение (\d{4}-\d\d-\d\d \d\d-\d\d-\d\d)\.webm", name)
    assert stamp, name
    assert before <= datetime.datetime.strptime(stamp.group(1), "%Y-%m-%d %H-%M-%S") <= after
    video = upload(app.test_client(), request_id, "v.webm", unique(WEBM), author, recorded="video")
    assert video.json["result"]["file"]["name"].startswith("Видеосообщение ")


def test_a_document_from_documents_is_posted_without_a_copy(app, request_id):
    with app.app_context():
        mine = store_bytes(user("requester1"), "заключение.pdf", unique(PDF), "application/pdf")
        others = store_bytes(user("consultant3"), "чужое.pdf", unique(PDF), "application/pdf")
        db.session.commit()
        mine_id, others_id = mine.id, others.id
        documents_before = db.session.query(Document).count()
    author = api_token(app, "requester1")
    sent = app.test_client().post(messages_url(request_id), json={"document_id": mine_id, "text": "Вот оно"},
                                  headers=author)
    assert sent.status_code == 201 and sent.json["result"]["file"]["id"] == mine_id
    before = denials(app, others_id)
    stolen = app.test_client().post(messages_url(request_id), json={"document_id": others_id}, headers=author)
    assert stolen.status_code == 404 and denials(app, others_id) == before + 1
    with app.app_context():
        assert db.session.query(Document).count() == documents_before
        assert db.session.query(Message).filter_by(document_id=others_id).count() == 0
    # now the chat's members may read it
    assert login(app.test_client(), "moadmin1").get(f"/documents/{mine_id}/download").status_code == 200


# ---- who may read a document ----

@pytest.fixture(scope="module")
def documents(app):
    """A file posted in a chat whose moadmin2 was removed, a conclusion attached to another request,
    and a file nobody shares."""
    with app.app_context():
        chatted = new_request()
        dialog = chat.dialog_of(db.session, chatted.id)
        posted = chat.post_file(db.session, dialog, user("requester1"),
                                store_bytes(user("requester1"), "в чате.png", unique(PNG), "image/png"))
        removed = db.session.query(DialogMember).filter_by(dialog_id=dialog.id, user_id=user("moadmin2").id).one()
        removed.removed_at = utcnow()
        attached_to = new_request()
        conclusion = store_bytes(user("consultant1"), "Заключение № 1.pdf", unique(PDF), "application/pdf")
        db.session.add(RequestAttachment(request_id=attached_to.id, document=conclusion, kind="conclusion"))
        private = store_bytes(user("consultant4"), "личное.txt", "только моё".encode() + uuid.uuid4().hex.encode(), "text/plain")
        db.session.commit()
        return {"chat": posted.document.id, "message": posted.id, "chat_request": chatted.id,
                "conclusion": conclusion.id, "private": private.id}


# (document, user, relation, may read)
ACCESS = [
    ("chat", "requester1", "owner and member", True),
    ("chat", "moadmin1", "member", True),
    ("chat", "moadmin2", "removed member", False),
    ("chat", "consultant3", "stranger", False),
    ("chat", "coordinator1", "sees the request, not in its chat", False),
    ("chat", "regadmin", "sees every request, not in its chat", False),
    ("conclusion", "consultant1", "owner", True),
    ("conclusion", "requester1", "author of the request it is attached to", True),
    ("conclusion", "coordinator1", "sees the request", True),
    ("conclusion", "regadmin", "sees every request", True),
    ("conclusion", "consultant3", "does not see the request", False),
    ("conclusion", "requester2", "does not see the request", False),
    ("private", "consultant4", "owner", True),
    ("private", "moadmin1", "nothing to do with it", False),
]


@pytest.mark.parametrize("which, username, relation, allowed", ACCESS, ids=[f"{a[0]}-{a[1]}" for a in ACCESS])
def test_who_may_read_a_document(app, client_for, documents, which, username, relation, allowed):
    document_id = documents[which]
    with app.app_context():
        assert may_read_document(db.session, user(username), db.session.get(Document, document_id)) is allowed
    client = client_for(username)
    before = denials(app, document_id)
    for way in ("download", "view"):
        response = client.get(f"/documents/{document_id}/{way}")
        assert response.status_code == (200 if allowed else 404), (way, relation)
    assert denials(app, document_id) == before + (0 if allowed else 2)


def test_a_removed_member_can_no_longer_read_or_join(app, documents):
    headers = api_token(app, "moadmin2")
    request_id = documents["chat_request"]
    assert app.test_client().get(messages_url(request_id), headers=headers).status_code == 404
    file_url = f"{messages_url(request_id)}/{documents['message']}/file"
    before = denials(app, documents["chat"])
    assert app.test_client().get(file_url, headers=headers).status_code == 404
    assert denials(app, documents["chat"]) == before + 1
    member = app.test_client().get(file_url, headers=api_token(app, "moadmin1"))
    assert member.status_code == 200 and member.headers["Content-Disposition"].startswith("attachment")
    # the socket: a fresh app, as the process's one SocketIO object serves the app built last
    fresh = make_app(app.config["SQLALCHEMY_DATABASE_URI"])
    socket = socketio.test_client(fresh, namespace=NAMESPACE, flask_test_client=login(fresh.test_client(), "moadmin2"))
    answer = socket.emit("join", {"request_id": request_id}, namespace=NAMESPACE, callback=True)
    assert answer == {"ok": False, "error": "Такого чата нет"}
    socket.disconnect(namespace=NAMESPACE)


def test_files_are_served_with_an_rfc_6266_disposition(app, client_for, documents):
    client = client_for("consultant1")
    shown = client.get(f"/documents/{documents['conclusion']}/view")
    name = quote("Заключение № 1.pdf")
    assert shown.headers["Content-Disposition"].startswith("inline; ")
    assert shown.headers["Content-Disposition"].endswith(f"; filename*=UTF-8''{name}")
    assert shown.headers["Content-Type"] == "application/pdf"
    assert shown.headers["X-Content-Type-Options"] == "nosniff"
    assert "private" in shown.headers["Cache-Control"]
    saved = client.get(f"/documents/{documents['conclusion']}/download")
    assert saved.headers["Content-Disposition"].startswith("attachment; ")
    # the request page's own link to the attachment sends it the same way
    with app.app_context():
        attachment = db.session.query(RequestAttachment).filter_by(document_id=documents["conclusion"]).one()
    page_link = client.get(f"/requests/{attachment.request_id}/files/{attachment.id}")
    assert page_link.headers["Content-Disposition"] == shown.headers["Content-Disposition"]


def test_a_file_name_is_sanitised_and_a_script_is_never_shown_inline(app, request_id, client_for):
    author = api_token(app, "requester1")
    name = "../../<img src=x onerror=alert(1)>;.png"
    sent = upload(app.test_client(), request_id, name, unique(PNG), author).json["result"]["file"]
    assert sent["name"] == "_img src=x onerror=alert(1)__.png"
    # an HTML page is text by its content: named .html it is refused (tests/test_uploads.py); as .txt it
    # is downloaded as text, never shown inline
    html = b"<html><script>alert(document.cookie)</script></html>" + uuid.uuid4().hex.encode()
    page = upload(app.test_client(), request_id, "page.txt", html, author).json["result"]["file"]
    assert page["content_type"] == "text/plain" and page["preview"] is None and page["preview_url"] is None
    served = client_for("requester1").get(f"/documents/{page['id']}/view")
    assert served.headers["Content-Type"].startswith("text/plain")
    assert served.headers["Content-Disposition"].startswith("attachment")
    listing = client_for("requester1").get("/documents/?q=onerror").get_data(as_text=True)
    assert "_img src=x onerror=alert(1)__.png" in listing and "<img src=x" not in listing


# ---- «Документы» ----

@pytest.fixture(scope="module")
def library(app):
    """consultant4's files: uploaded at known moments (UTC), one a conclusion attached to a request,
    one sent in that request's chat."""
    with app.app_context():
        owner = user("consultant4")
        consultation = new_request()
        made = {}
        for name, data, kind, created in (
            ("Протокол МРТ.pdf", unique(PDF), "application/pdf", datetime.datetime(2025, 3, 1, 20, 30)),
            ("Снимок грудной клетки.png", unique(PNG), "image/png", datetime.datetime(2025, 3, 1, 21, 30)),
            ("Аудиосообщение.webm", unique(WEBM), "audio/webm", datetime.datetime(2025, 3, 5, 9, 0)),
            ("Выписка.docx", unique(docx()), "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
             datetime.datetime(2025, 3, 6, 9, 0)),
        ):
            document = store_bytes(owner, name, data, kind)
            document.created_at = created
            made[name] = document
        db.session.add(RequestAttachment(request_id=consultation.id, document=made["Протокол МРТ.pdf"], kind="conclusion"))
        db.session.flush()
        dialog = chat.dialog_of(db.session, consultation.id)
        db.session.add(Message(dialog_id=dialog.id, author_id=owner.id, kind="audio",
                               document_id=made["Аудиосообщение.webm"].id))
        db.session.commit()
        return {"request": consultation.id, "number": consultation.number,
                **{name: document.id for name, document in made.items()}}


def listed(client, **query) -> list[str]:
    """The names «Документы» shows, among the fixture's files (all from 2025; other tests' files are newer)."""
    html = client.get("/documents/", query_string={"to": "2025-12-31", **query}).get_data(as_text=True)
    return re.findall(r'<td class="tmk-document-name">([^<]+)</td>', html)


def test_documents_lists_mine_with_type_size_date_and_requests(app, client_for, library):
    client = client_for("consultant4")
    html = client.get("/documents/").get_data(as_text=True)
    text = visible_text(html)
    assert listed(client) == ["Выписка.docx", "Аудиосообщение.webm", "Снимок грудной клетки.png", "Протокол МРТ.pdf"]
    assert "Документ PDF" in text and "Изображение PNG" in text and "Аудиозапись" in text and "Документ Word" in text
    assert "02.03.2025 00:30" in text  # 21:30 UTC is past midnight in Moscow
    assert html.count(f'href="/requests/{library["request"]}">{library["number"]}</a>') == 2  # attached, and in the chat
    assert f'href="/documents/{library["Снимок грудной клетки.png"]}/view"' in html
    assert f'href="/documents/{library["Выписка.docx"]}/view"' not in html  # no preview for a DOCX, only download
    assert f'href="/documents/{library["Выписка.docx"]}/download"' in html
    assert "Протокол МРТ.pdf" not in listed(client_for("consultant3"))


def test_documents_search_by_name_type_date_and_request(client_for, library):
    client = client_for("consultant4")
    assert listed(client, q="МРТ") == ["Протокол МРТ.pdf"]
    assert listed(client, type="image") == ["Снимок грудной клетки.png"]
    assert listed(client, type="audio") == ["Аудиосообщение.webm"]
    assert listed(client, type="office") == ["Выписка.docx"]
    # dates are the portal's (Moscow): 01.03 ends at 21:00 UTC
    assert listed(client, **{"from": "2025-03-01", "to": "2025-03-01"}) == ["Протокол МРТ.pdf"]
    assert listed(client, **{"from": "02.03.2025", "to": "05.03.2025"}) == ["Аудиосообщение.webm",
                                                                          "Снимок грудной клетки.png"]
    assert listed(client, request=library["number"]) == ["Аудиосообщение.webm", "Протокол МРТ.pdf"]
    assert listed(client, q="нет такого") == []
    assert "Документы не найдены." in visible_text(client.get("/documents/?q=нет такого").get_data(as_text=True))
    wrong = client.get("/documents/?from=вчера")
    assert wrong.status_code == 200 and "«вчера» — не дата: введите ДД.ММ.ГГГГ" in visible_text(wrong.get_data(as_text=True))


def test_the_chat_picker_offers_my_documents(client_for, library):
    found = client_for("consultant4").get("/documents/mine.json?q=Снимок").json
    assert [d["name"] for d in found["result"]] == ["Снимок грудной клетки.png"]
    assert found["result"][0]["type"] == "Изображение PNG" and found["result"][0]["preview"] == "image"


@pytest.mark.parametrize("username", ["regadmin", "moadmin1", "coordinator1", "consultant1", "requester1"])
def test_every_role_with_messages_has_documents_after_it(client_for, username):
    """The manual's menu (§2.2): «Сообщения» first, «Документы» after the lists and «Пользователи»."""
    response = client_for(username).get("/documents/")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert html.index('href="/messages/"') < html.index('href="/documents/"')
    assert re.search(r'href="/documents/"[^>]*>\s*(<i[^>]*></i>)?\s*(<span[^>]*>)?Документы', html)
