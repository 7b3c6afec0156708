"""CSRF on the REST API (issue 11, item 6): a request the session cookie signs in must carry the page's
token in X-CSRFToken, on every API; a JWT client needs none; safe methods need none."""
import re

import pytest

from app.extensions import db
from app.models import ConsultationRequest
from tests.conftest import DEMO_PASSWORD, make_app
from tests.requests_helpers import new_request


@pytest.fixture()
def protected(app):
    return make_app(app.config["SQLALCHEMY_DATABASE_URI"], WTF_CSRF_ENABLED=True)


@pytest.fixture()
def request_id(protected):
    with protected.app_context():
        return new_request().id


def page_token(client, path="/") -> str:
    """The token a page gives its scripts (<meta name="csrf-token">, tmk/base.html)."""
    return re.search(r'<meta name="csrf-token" content="([^"]+)"', client.get(path).get_data(as_text=True)).group(1)


def browser(app, username="requester1"):
    client = app.test_client()
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', client.get("/login/").get_data(as_text=True))
    response = client.post("/login/", data={"username": username, "password": DEMO_PASSWORD, "csrf_token": token.group(1)})
    assert response.status_code == 302 and "/login" not in response.headers["Location"]
    return client


def status(app, request_id) -> str:
    with app.app_context():
        return db.session.get(ConsultationRequest, request_id).status


def test_a_cookie_request_without_the_token_is_refused_in_russian(protected, request_id):
    client = browser(protected)
    cancel = client.post(f"/api/v1/requests/{request_id}/cancel", json={"reason": "Чужая страница"})
    assert cancel.status_code == 400
    assert cancel.json["message"].startswith("Страница устарела")
    assert status(protected, request_id) != "cancelled"
    sent = client.post(f"/api/v1/requests/{request_id}/messages", json={"text": "подделка"})
    assert sent.status_code == 400 and sent.json["message"].startswith("Страница устарела")
    wrong = client.post(f"/api/v1/requests/{request_id}/messages", json={"text": "подделка"},
                        headers={"X-CSRFToken": "not-the-token"})
    assert wrong.status_code == 400
    # reading changes nothing and needs no token
    assert client.get(f"/api/v1/requests/{request_id}/messages").status_code == 200


def test_a_cookie_request_with_the_pages_token_goes_through(protected, request_id):
    client = browser(protected)
    headers = {"X-CSRFToken": page_token(client, f"/requests/{request_id}")}
    sent = client.post(f"/api/v1/requests/{request_id}/messages", json={"text": "со страницы"}, headers=headers)
    assert sent.status_code == 201
    cancel = client.post(f"/api/v1/requests/{request_id}/cancel", json={"reason": "Отзываю"}, headers=headers)
    assert cancel.status_code == 200, cancel.get_data(as_text=True)
    assert status(protected, request_id) == "cancelled"


def test_a_jwt_client_needs_no_token(protected, request_id):
    login = protected.test_client().post("/api/v1/security/login", json={
        "username": "requester1", "password": DEMO_PASSWORD, "provider": "db"})
    assert login.status_code == 200  # the login itself wants no token either
    bearer = {"Authorization": f"Bearer {login.json['access_token']}"}
    client = protected.test_client()
    assert client.post(f"/api/v1/requests/{request_id}/messages", json={"text": "из МИС"},
                       headers=bearer).status_code == 201
    assert client.post(f"/api/v1/requests/{request_id}/cancel", json={"reason": "МИС"},
                       headers=bearer).status_code == 200


def test_a_bearer_header_does_not_excuse_a_cookie_request(protected, request_id):
    """The cookie is what signs this request in (FAB prefers it): a made-up header changes nothing."""
    client = browser(protected)
    forged = client.post(f"/api/v1/requests/{request_id}/cancel", json={"reason": "x"},
                         headers={"Authorization": "Bearer made-up"})
    assert forged.status_code == 400
    assert status(protected, request_id) != "cancelled"
