"""Who may see a request, beyond the access matrix (tests/test_access_matrix.py): a refused change leaves the
request as it was, reading the full patient data is audited, a file is served only with its own request."""
import pytest

from app.documents.storage import store_upload
from app.extensions import db
from app.models import AuditEvent, RequestAttachment
from app.workflow import apply
from tests.requests_helpers import new_request, user
from tests.conftest import api_token

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture(scope="module")
def case(app):
    """A new cardiology request from ЦРБ Приозёрск to ГКБ № 1 with a PDF, and one already taken."""
    with app.app_context():
        fresh = new_request(author="requester1")
        document = store_upload(user("requester1"), "выписка.pdf", PDF)
        db.session.add(RequestAttachment(request_id=fresh.id, document=document))
        taken = new_request(author="requester1")
        apply(user("consultant1"), taken, "take")
        db.session.commit()
        attachment_id = db.session.query(RequestAttachment).filter_by(request_id=fresh.id).one().id
        return {"fresh": fresh.id, "taken": taken.id, "attachment": attachment_id}


def _denied_count(app):
    with app.app_context():
        return db.session.query(AuditEvent).filter_by(action="read_denied").count()


def test_invisible_request_cannot_be_acted_on(app, client_for, case):
    before = _denied_count(app)
    response = client_for("consultant3").post(f"/requests/{case['fresh']}/action/take")
    assert response.status_code == 404
    response = app.test_client().post(f"/api/v1/requests/{case['fresh']}/take",
                                      headers=api_token(app, "consultant3"))
    assert response.status_code == 404
    assert _denied_count(app) - before == 2
    with app.app_context():
        from app.models import ConsultationRequest

        assert db.session.get(ConsultationRequest, case["fresh"]).status == "new"


def test_reading_patient_data_is_audited(app, client_for, case):
    client = client_for("coordinator1")
    with app.app_context():
        before = db.session.query(AuditEvent).filter_by(action="read_patient_full").count()
    page = client.get(f"/requests/{case['fresh']}?patient=full").get_data(as_text=True)
    assert "Пациентов Пётр Петрович" in page
    with app.app_context():
        after = db.session.query(AuditEvent).filter_by(action="read_patient_full").count()
        coordinator = user("coordinator1").id
        last = db.session.query(AuditEvent).order_by(AuditEvent.id.desc()).first()
    assert after == before + 1 and last.user_id == coordinator


def test_attachment_of_another_request_is_not_served(app, client_for, case):
    response = client_for("requester1").get(f"/requests/{case['taken']}/files/{case['attachment']}")
    assert response.status_code == 404


def test_file_is_served_with_a_safe_disposition(app, client_for, case):
    response = client_for("requester1").get(f"/requests/{case['fresh']}/files/{case['attachment']}")
    assert response.status_code == 200 and response.data == PDF
    assert response.headers["Content-Type"].startswith("application/pdf")
    assert "filename*=UTF-8''%D0%B2%D1%8B%D0%BF%D0%B8%D1%81%D0%BA%D0%B0.pdf" in response.headers["Content-Disposition"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"
