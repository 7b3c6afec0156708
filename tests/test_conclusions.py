"""Finishing a consultation (manual §3.6): the form, a Russian PDF and DOCX, a real detached CMS signature
checked against the stored PDF, skipping it, a scan instead of the form, the zip, and who may download."""
import io
import os
import re
import zipfile

import docx
import pytest
import sqlalchemy as sa
from pypdf import PdfReader

from app.conclusions.signatures import verify_detached
from app.extensions import db
from app.models import AuditEvent, Conclusion, ConsultationRequest, Document, Message, Notification, Signature, utcnow
from app.workflow import apply
from tests.conftest import DEMO_PASSWORD, make_app, visible_text
from tests.crypto_helpers import make_ca, make_doctor, sign_detached
from tests.requests_helpers import new_request, user

FORM = {
    "answer": "Показана коронарография в плановом порядке.\nДо неё — двойная антитромбоцитарная терапия.",
    "condition": "Состояние средней тяжести, стабильное.",
    "diagnosis_code": "i20.0", "diagnosis_text": "Нестабильная стенокардия, ёмкий случай",
    "concomitant": "Гипертоническая болезнь II ст.",
    "recommendations_treatment": "Аспирин 100 мг <img src=\"file:///etc/passwd\"> утром",
    "documents_reviewed": "ЭКГ от 20.11.2026", "mode": "deferred",
}
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.fixture(scope="module")
def doctor(app):
    """consultant1's certificate: the СНИЛС in it is his."""
    with app.app_context():
        return make_doctor(make_ca(), snils=user("consultant1").snils)


def request_in_work(consultant="consultant1"):
    consultation = new_request()
    apply(user(consultant), consultation, "take")
    return consultation.id


def reload(request_id) -> ConsultationRequest:
    db.session.expire_all()
    return db.session.get(ConsultationRequest, request_id)


def pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def docx_text(data: bytes) -> str:
    document = docx.Document(io.BytesIO(data))
    cells = [cell.text for table in document.tables for row in table.rows for cell in row.cells]
    return "\n".join([p.text for p in document.paragraphs] + cells)


def rendered(app, client, request_id):
    """Fill the form and press «Сформировать»: the bytes of the PDF and the DOCX."""
    response = client.post(f"/requests/{request_id}/conclusion", data={**FORM, "render": "1"})
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/requests/{request_id}/conclusion/sign")
    with app.app_context():
        conclusion = reload(request_id).conclusion
        pdf_id, docx_id = conclusion.pdf_document_id, conclusion.docx_document_id
    return client.get(f"/documents/{pdf_id}/download").data, client.get(f"/documents/{docx_id}/download").data


def test_the_form_marks_missing_fields_in_russian_and_keeps_what_was_typed(app, client_for):
    with app.app_context():
        request_id = request_in_work()
    client = client_for("consultant1")
    form = client.get(f"/requests/{request_id}/conclusion").get_data(as_text=True)
    assert "Нестабильная стенокардия" in form  # the diagnosis is pre-filled from the request
    page = client.post(f"/requests/{request_id}/conclusion",
                       data={"render": "1", "answer": "Черновик ответа", "diagnosis_code": "I20.0"})
    text = visible_text(page.get_data(as_text=True))
    assert page.status_code == 200 and "Обязательное поле" in text and "Заполните обязательные поля" in text
    assert "Черновик ответа" in page.get_data(as_text=True)
    client.post(f"/requests/{request_id}/conclusion", data={"save": "1", "answer": "Черновик ответа", "mode": "sync"})
    with app.app_context():
        saved = reload(request_id)
        assert saved.status == "in_work" and saved.conclusion.answer == "Черновик ответа"
        assert saved.conclusion.state == "draft"
    wrong = client.post(f"/requests/{request_id}/conclusion", data={**FORM, "render": "1", "diagnosis_code": "20"})
    assert "Код МКБ-10" in visible_text(wrong.get_data(as_text=True))


def test_only_the_consultant_of_the_request_fills_the_conclusion(app, client_for):
    with app.app_context():
        request_id = request_in_work()
    author = client_for("requester1")
    assert author.get(f"/requests/{request_id}/conclusion").status_code == 302
    assert author.post(f"/requests/{request_id}/conclusion", data={**FORM, "render": "1"}).status_code == 302
    assert author.put(f"/api/v1/requests/{request_id}/conclusion", json=FORM).status_code == 409
    assert client_for("requester2").get(f"/requests/{request_id}/conclusion").status_code == 404
    with app.app_context():
        assert reload(request_id).conclusion is None


def test_rendering_makes_the_same_russian_pdf_and_docx_and_moves_to_signing(app, client_for):
    with app.app_context():
        request_id = request_in_work()
        number = reload(request_id).number
    client = client_for("consultant1")
    pdf, docx_bytes = rendered(app, client, request_id)
    assert "Заключение успешно сформировано" in visible_text(client.get(f"/requests/{request_id}/conclusion/sign").get_data(as_text=True))
    text, document_text = pdf_text(pdf), docx_text(docx_bytes)
    for expected in (number, "Пациентов Пётр Петрович", "Нестабильная стенокардия, ёмкий случай", "I20.0",
                     "Показана коронарография в плановом порядке.", '<img src="file:///etc/passwd">', "Кардиология"):
        assert expected in text, expected
        assert expected in document_text, expected
    with app.app_context():
        consultation = reload(request_id)
        assert consultation.status == "signing" and consultation.events[-1].action == "conclude"
        texts = [m.event.action for m in db.session.query(Message).filter_by(kind="system").order_by(Message.id)
                 if m.event and m.event.request_id == request_id]
        assert "conclude" in texts


def test_a_valid_signature_completes_the_request_and_the_zip_verifies(app, client_for, doctor):
    with app.app_context():
        request_id = request_in_work()
    client = client_for("consultant1")
    pdf, _ = rendered(app, client, request_id)
    signature = sign_detached(pdf, doctor.certificate, doctor.key)
    response = client.post(f"/requests/{request_id}/conclusion/signature",
                           data={"file": (io.BytesIO(signature), "conclusion.sgn")}, content_type="multipart/form-data")
    assert response.status_code == 302
    with app.app_context():
        consultation = reload(request_id)
        assert consultation.status == "completed" and consultation.completed_at is not None
        stored = consultation.conclusion.signatures[0]
        assert stored.signer == "Петров Пётр Петрович" and int(stored.serial, 16) == doctor.certificate.serial_number
        system = [m for m in db.session.query(Message).filter_by(kind="system").order_by(Message.id) if m.event and m.event.request_id == request_id]
        assert system[-1].event.action == "complete"
        author = user("requester1")
        assert db.session.query(Notification).filter_by(request_id=request_id, user_id=author.id).filter(
            Notification.event_id == system[-1].event_id).count() == 1
    chat = client_for("requester1").get(f"/api/v1/requests/{request_id}/messages").get_json()["result"]
    assert chat[-1]["text"] == "Работы по заявке успешно завершены"
    documents = client_for("requester1").get("/documents/").get_data(as_text=True)
    assert "Электронная подпись" in visible_text(documents)  # made for the author: in his «Документы»
    assert f'href="/requests/{request_id}/conclusion/zip"' in documents  # «Загрузить»: the zip with the .sgn
    archive = zipfile.ZipFile(io.BytesIO(client_for("requester1").get(f"/requests/{request_id}/conclusion/zip").data))
    names = archive.namelist()
    pdf_name = next(n for n in names if n.endswith(".pdf"))
    assert f"{pdf_name}.sgn" in names
    signers = verify_detached(archive.read(pdf_name), archive.read(f"{pdf_name}.sgn"))
    assert signers[0].signer == "Петров Пётр Петрович"


def test_a_tampered_document_another_file_or_garbage_is_refused_and_stored_nowhere(app, client_for, doctor):
    with app.app_context():
        request_id = request_in_work()
    client = client_for("consultant1")
    pdf, _ = rendered(app, client, request_id)
    tampered = bytearray(pdf)
    tampered[len(tampered) // 2] ^= 0x01
    with app.app_context():
        documents, signatures = db.session.query(Document).count(), db.session.query(Signature).count()
    for bad in (sign_detached(bytes(tampered), doctor.certificate, doctor.key),
                sign_detached(b"another file", doctor.certificate, doctor.key), b"garbage" * 10):
        page = client.post(f"/requests/{request_id}/conclusion/signature", data={"file": (io.BytesIO(bad), "x.sgn")},
                           content_type="multipart/form-data", follow_redirects=True)
        assert "alert-danger" in page.get_data(as_text=True)
        api = client.post(f"/api/v1/requests/{request_id}/conclusion/signature",
                          data={"file": (io.BytesIO(bad), "x.sgn")}, content_type="multipart/form-data")
        assert api.status_code == 422 and re.search("[а-яА-Я]", api.get_json()["message"])
    with app.app_context():
        assert reload(request_id).status == "signing"
        assert db.session.query(Document).count() == documents and db.session.query(Signature).count() == signatures


def test_skipping_the_signature_completes_the_request(app, client_for):
    with app.app_context():
        request_id = request_in_work()
    client = client_for("consultant1")
    rendered(app, client, request_id)
    page = client.post(f"/requests/{request_id}/conclusion/skip", follow_redirects=True).get_data(as_text=True)
    assert "Работы по заявке успешно завершены" in visible_text(page)
    assert "без электронной подписи" in visible_text(page)
    with app.app_context():
        assert reload(request_id).status == "completed"
    assert client.post(f"/api/v1/requests/{request_id}/conclusion/skip_signature").status_code == 409


def test_a_scan_signed_by_hand_completes_the_request_instead_of_the_form(app, client_for):
    with app.app_context():
        request_id = request_in_work()
    client = client_for("consultant1")
    refused = client.post(f"/requests/{request_id}/conclusion/scan", data={"file": (io.BytesIO("текст".encode()), "scan.pdf")},
                          content_type="multipart/form-data", follow_redirects=True)
    assert "PDF, JPEG или PNG" in visible_text(refused.get_data(as_text=True))
    response = client.post(f"/requests/{request_id}/conclusion/scan", data={"file": (io.BytesIO(PNG), "скан заключения.png")},
                           content_type="multipart/form-data")
    assert response.status_code == 302
    with app.app_context():
        consultation = reload(request_id)
        assert consultation.status == "completed" and consultation.conclusion.scan_document.name == "скан заключения.png"
    archive = zipfile.ZipFile(io.BytesIO(client_for("requester1").get(f"/requests/{request_id}/conclusion/zip").data))
    assert archive.namelist() == ["скан заключения.png"]


def test_only_those_who_see_the_request_download_its_conclusion(app, client_for):
    with app.app_context():
        request_id = request_in_work()
    rendered(app, client_for("consultant1"), request_id)
    with app.app_context():
        pdf_id = reload(request_id).conclusion.pdf_document_id
    for allowed in ("requester1", "consultant1", "regadmin"):
        client = client_for(allowed)
        assert client.get(f"/requests/{request_id}/conclusion/zip").status_code == 200, allowed
        assert client.get(f"/documents/{pdf_id}/download").status_code == 200, allowed
        assert client.get(f"/api/v1/requests/{request_id}/documents").status_code == 200, allowed
    outsider = client_for("requester2")
    assert outsider.get(f"/requests/{request_id}/conclusion/zip").status_code == 404
    assert outsider.get(f"/documents/{pdf_id}/download").status_code == 404
    assert outsider.get(f"/api/v1/requests/{request_id}/documents").status_code == 404
    with app.app_context():
        denied = db.session.query(AuditEvent).filter_by(user_id=user("requester2").id, action="read_denied").count()
        assert denied >= 2


def test_the_api_cycle_form_render_signature_documents(app, client_for, doctor):
    with app.app_context():
        request_id = request_in_work()
    client = client_for("consultant1")
    missing = client.put(f"/api/v1/requests/{request_id}/conclusion", json={"answer": "Ответ"})
    assert missing.status_code == 422
    assert missing.get_json()["message"]["condition"] == ["Обязательное поле"]
    wrong = client.put(f"/api/v1/requests/{request_id}/conclusion", json={**FORM, "answer": None, "diagnosis_text": "x" * 600})
    assert wrong.get_json()["message"] == {"answer": ["Поле не может быть пустым (null)"],
                                           "diagnosis_text": ["От 1 до 500 символов"]}
    assert client.put(f"/api/v1/requests/{request_id}/conclusion", data="[", content_type="application/json").status_code == 400
    saved = client.put(f"/api/v1/requests/{request_id}/conclusion", json={**FORM, "diagnosis_code": "I20.0"})
    assert saved.status_code == 200 and saved.get_json()["result"]["conclusion"]["state"] == "draft"
    done = client.post(f"/api/v1/requests/{request_id}/conclusion/render").get_json()["result"]
    assert done["status"] == "signing" and done["conclusion"]["state"] == "ready"
    pdf_entry = next(d for d in done["documents"] if d["kind"] == "conclusion" and d["content_type"] == "application/pdf")
    assert set(pdf_entry["urls"]) >= {"pdf", "docx", "zip"} and len(pdf_entry["sha256"]) == 64
    pdf = client.get(pdf_entry["urls"]["pdf"]).data
    ecdsa = make_doctor(make_ca("ecdsa"), "ecdsa")  # without consultant1's СНИЛС: refused
    foreign = client.post(f"/api/v1/requests/{request_id}/conclusion/signature",
                          data=sign_detached(pdf, ecdsa.certificate, ecdsa.key), content_type="application/pkcs7-signature")
    assert foreign.status_code == 422 and "другому лицу" in foreign.get_json()["message"]
    with app.app_context():
        ecdsa = make_doctor(make_ca("ecdsa"), "ecdsa", snils=user("consultant1").snils)
    signed = client.post(f"/api/v1/requests/{request_id}/conclusion/signature",
                         data=sign_detached(pdf, ecdsa.certificate, ecdsa.key), content_type="application/pkcs7-signature")
    assert signed.status_code == 200 and signed.get_json()["result"]["status"] == "completed"
    documents = client_for("requester1").get(f"/api/v1/requests/{request_id}/documents").get_json()["result"]
    pdf_entry = next(d for d in documents if d["id"] == pdf_entry["id"])
    assert pdf_entry["signatures"][0]["signer"] == "Петров Пётр Петрович"
    assert pdf_entry["signatures"][0]["algorithm"].startswith("ECDSA")
    assert {d["kind"] for d in documents} >= {"conclusion", "signature"}
    # a medical information system with a JWT downloads what the list points at
    for username, expected in (("requester1", 200), ("requester2", 404)):
        token = app.test_client().post("/api/v1/security/login", json={
            "username": username, "password": DEMO_PASSWORD, "provider": "db"}).json["access_token"]
        jwt = app.test_client()
        headers = {"Authorization": f"Bearer {token}"}
        pdf_by_jwt = jwt.get(pdf_entry["urls"]["pdf"], headers=headers)
        assert pdf_by_jwt.status_code == expected
        assert jwt.get(pdf_entry["urls"]["zip"], headers=headers).status_code == expected
        if expected == 200:
            assert pdf_by_jwt.data == pdf and "filename*=UTF-8''" in pdf_by_jwt.headers["Content-Disposition"]
            archive = zipfile.ZipFile(io.BytesIO(jwt.get(pdf_entry["urls"]["zip"], headers=headers).data))
            assert any(name.endswith(".sgn") for name in archive.namelist())


def test_with_redis_the_documents_are_made_by_an_rq_worker(app):
    from redis import Redis
    from rq import Queue, SimpleWorker

    redis_url = os.environ.get("TEST_REDIS_URL")
    if not redis_url:
        pytest.skip("TEST_REDIS_URL is not set")
    queued = make_app(app.config["SQLALCHEMY_DATABASE_URI"], REDIS_URL=redis_url)
    connection = Redis.from_url(redis_url)
    queue = Queue("tmk-render", connection=connection)
    queue.empty()
    client = queued.test_client()
    client.post("/login/", data={"username": "consultant1", "password": "Demo-2026!"})
    with queued.app_context():
        request_id = request_in_work()
    response = client.post(f"/requests/{request_id}/conclusion", data={**FORM, "render": "1"})
    assert response.headers["Location"].endswith(f"/requests/{request_id}/conclusion/progress")
    assert client.get(f"/requests/{request_id}/conclusion/state").get_json()["state"] == "rendering"
    progress = client.get(f"/requests/{request_id}/conclusion/progress").get_data(as_text=True)
    assert "data-conclusion-progress" in progress
    with queued.app_context():  # the worker's jobs run in this app (the test database)
        SimpleWorker([queue], connection=connection).work(burst=True)
    assert client.get(f"/requests/{request_id}/conclusion/state").get_json()["state"] == "ready"
    assert client.get(f"/requests/{request_id}/conclusion/progress").headers["Location"].endswith("/conclusion/sign")
    with queued.app_context():
        assert reload(request_id).status == "signing"


def test_the_consultant_corrects_the_form_while_it_awaits_signing(app, client_for):
    with app.app_context():
        request_id = request_in_work()
    client = client_for("consultant1")
    first_pdf, _ = rendered(app, client, request_id)
    with app.app_context():
        first_id = reload(request_id).conclusion.pdf_document_id
    form = client.get(f"/requests/{request_id}/conclusion").get_data(as_text=True)
    assert "Показана коронарография в плановом порядке." in form  # the rendered form comes back to correct it
    response = client.post(f"/requests/{request_id}/conclusion",
                           data={**FORM, "answer": "Исправленный ответ консультанта", "render": "1"})
    assert response.headers["Location"].endswith("/conclusion/sign")
    with app.app_context():
        consultation = reload(request_id)
        conclusion = consultation.conclusion
        assert consultation.status == "signing" and conclusion.pdf_document_id != first_id
        assert [e.action for e in consultation.events].count("conclude") == 2
        kept = {a.document_id for a in consultation.attachments if a.kind == "conclusion"}
        assert first_id in kept and conclusion.pdf_document_id in kept  # nothing is deleted
        second_id = conclusion.pdf_document_id
    second_pdf = client.get(f"/documents/{second_id}/download").data
    assert "Исправленный ответ консультанта" in pdf_text(second_pdf)
    assert "Исправленный ответ консультанта" not in pdf_text(first_pdf)


def test_a_rendering_job_lost_with_its_worker_does_not_block_the_form_for_ever(app, client_for):
    import datetime

    with app.app_context():
        request_id = request_in_work()
    client = client_for("consultant1")
    client.post(f"/requests/{request_id}/conclusion", data={**FORM, "save": "1"})
    with app.app_context():
        conclusion = reload(request_id).conclusion
        conclusion.state = "rendering"  # queued, but no worker ever took it
        db.session.commit()
    waiting = client.post(f"/requests/{request_id}/conclusion", data={**FORM, "save": "1"}, follow_redirects=True)
    assert "Заключение формируется, подождите" in visible_text(waiting.get_data(as_text=True))
    with app.app_context():
        db.session.execute(sa.update(Conclusion).where(Conclusion.request_id == request_id)
                           .values(updated_at=utcnow() - datetime.timedelta(minutes=10)))
        db.session.commit()
    assert client.post(f"/requests/{request_id}/conclusion", data={**FORM, "render": "1"}).headers["Location"].endswith("/sign")
