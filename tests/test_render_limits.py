"""A conclusion's rendering is bounded (issue 11, item 14): an oversize form is refused at once with a
Russian message on the page and in the API; a normal one renders."""
import time

import pytest

from app.extensions import db
from app.models import ConsultationRequest
from tests.conftest import visible_text
from tests.test_conclusions import FORM, request_in_work

MANY_LINES = "\n".join(f"строка {i}" for i in range(1000))  # within the characters, far over the lines


@pytest.mark.parametrize("oversize", [
    {"recommendations_treatment": MANY_LINES},
    # each field within its own limits, together far too long
    {name: "Длинный текст заключения. " * 700 for name in ("answer", "condition", "concomitant", "documents_reviewed")},
    {name: "\n".join(["Короткая строка"] * 150) for name in ("answer", "condition", "concomitant", "documents_reviewed")},
])
def test_an_oversize_conclusion_is_refused_at_once_on_the_page(app, client_for, oversize):
    with app.app_context():
        request_id = request_in_work()
    client = client_for("consultant1")
    started = time.monotonic()
    page = client.post(f"/requests/{request_id}/conclusion", data={**FORM, **oversize, "render": "1"})
    assert time.monotonic() - started < 3  # refused before any rendering
    assert page.status_code == 200
    text = visible_text(page.get_data(as_text=True))
    assert "Не более" in text and ("строк" in text or "во всём заключении" in text)
    with app.app_context():
        consultation = db.session.get(ConsultationRequest, request_id)
        assert consultation.status == "in_work"
        assert consultation.conclusion is None or consultation.conclusion.state != "rendering"


def test_an_oversize_conclusion_is_refused_by_the_api(app, client_for):
    with app.app_context():
        request_id = request_in_work()
    client = client_for("consultant1")
    saved = client.put(f"/api/v1/requests/{request_id}/conclusion", json={**FORM, "diagnosis_code": "I20.0",
                                                                          "answer": MANY_LINES})
    assert saved.status_code == 422
    assert saved.json["fields"]["answer"] == "Не более 200 строк"


def test_a_stored_oversize_conclusion_is_not_rendered(app, client_for):
    """The guard at the renderer: a form saved before the limits (or by any other path) fails quickly."""
    from app.models import Conclusion
    from app.workflow.conclusions import render_documents

    with app.app_context():
        request_id = request_in_work()
        consultation = db.session.get(ConsultationRequest, request_id)
        conclusion = Conclusion(request=consultation, author_id=consultation.consultant_id, state="rendering",
                                **{**FORM, "diagnosis_code": "I20.0", "answer": MANY_LINES})
        db.session.add(conclusion)
        db.session.commit()
        started = time.monotonic()
        render_documents(conclusion)
        assert time.monotonic() - started < 3
        assert conclusion.state == "failed" and "строк" in conclusion.error
        assert consultation.status == "in_work"


def test_a_normal_conclusion_renders(app, client_for):
    with app.app_context():
        request_id = request_in_work()
    client = client_for("consultant1")
    response = client.post(f"/requests/{request_id}/conclusion", data={**FORM, "render": "1"})
    assert response.headers["Location"].endswith(f"/requests/{request_id}/conclusion/sign")
