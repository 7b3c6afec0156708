"""A document of another patient's request sent to a request's chat (issue 13, item 5; manual §3.4.2: a file
«from Документы»): the server refuses it with the question naming both patients until the sender confirms."""
import datetime
import uuid

from app.documents.storage import store_bytes
from app.extensions import db
from app.models import Message
from app.workflow.validation import PatientData
from tests.conftest import api_token
from tests.requests_helpers import new_request, unique_policy, user

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
QUESTION = "Документ относится к пациенту Пациентов П. П. Прикрепить к заявке пациента Другова А. Б.?"


def _other_patient():
    return PatientData(last_name="Другова", first_name="Анна", middle_name="Борисовна",
                       birth_date=datetime.date(1971, 2, 3), sex="female", oms_policy=unique_policy())


def _posted_document(app):
    """A document of requester1 posted in the chat of a request of «Пациентов П. П.»."""
    with app.app_context():
        first = new_request()
        document = store_bytes(user("requester1"), "ЭКГ.pdf", PDF + uuid.uuid4().hex.encode(), "application/pdf")
        db.session.commit()
        ids = first.id, document.id
    sent = app.test_client().post(f"/api/v1/requests/{ids[0]}/messages", json={"document_id": ids[1]},
                                  headers=api_token(app, "requester1"))
    assert sent.status_code == 201
    return ids[1]


def _send(app, request_id, document_id, **extra):
    return app.test_client().post(f"/api/v1/requests/{request_id}/messages",
                                  json={"document_id": document_id, **extra}, headers=api_token(app, "requester1"))


def test_another_patients_document_asks_naming_both(app):
    document_id = _posted_document(app)
    with app.app_context():
        other = new_request(patient=_other_patient()).id
    refused = _send(app, other, document_id)
    assert refused.status_code == 409
    assert refused.json == {"message": QUESTION, "confirm": "other_patient_confirmed"}
    with app.app_context():
        assert db.session.query(Message).filter_by(document_id=document_id).count() == 1
    confirmed = _send(app, other, document_id, other_patient_confirmed=True)
    assert confirmed.status_code == 201 and confirmed.json["result"]["file"]["id"] == document_id


def test_the_same_patients_document_goes_without_a_question(app):
    document_id = _posted_document(app)
    with app.app_context():
        same = new_request().id  # another row of the same person (app/models/requests.py)
    assert _send(app, same, document_id).status_code == 201
