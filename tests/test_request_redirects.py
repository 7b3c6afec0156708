"""Where an action on a request leads (issue 13, item 5): after «Взять в работу» chosen in «Доступные»
the user lands on the request's page, not on a list the request has just left."""
from urllib.parse import urlsplit

from tests.requests_helpers import new_request


def _landing(response):
    assert response.status_code == 302
    parts = urlsplit(response.headers["Location"])
    return parts.path + (f"?{parts.query}" if parts.query else "")


def test_take_from_the_list_lands_on_the_request(app, client_for):
    with app.app_context():
        request_id = new_request().id
    answer = client_for("consultant1").post(f"/requests/{request_id}/action/take",
                                            data={"next": f"/requests/available/?selected={request_id}"})
    assert _landing(answer) == f"/requests/{request_id}"


def test_an_action_on_the_request_page_stays_on_that_page(app, client_for):
    with app.app_context():
        request_id = new_request().id
    answer = client_for("consultant1").post(f"/requests/{request_id}/action/take",
                                            data={"next": f"/requests/{request_id}?patient=full"})
    assert _landing(answer) == f"/requests/{request_id}?patient=full"


def test_a_refused_action_goes_back_where_the_user_was(app, client_for):
    with app.app_context():
        request_id = new_request().id
    back = f"/requests/outgoing/?selected={request_id}"
    answer = client_for("requester1").post(f"/requests/{request_id}/action/take", data={"next": back})
    assert _landing(answer) == back
