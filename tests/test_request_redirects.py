"""Where an action on a request leads (issue 13, item 5): after «Взять в работу» chosen in «Доступные»
the user lands on the request's page, not on a list the request has just left."""
from urllib.parse import urlsplit

import pytest

from tests.requests_helpers import new_request


def _landing(response):
    assert response.status_code == 302
    parts = urlsplit(response.headers["Location"])
    return parts.path + (f"?{parts.query}" if parts.query else "")


# (who takes, where he was, where he lands): a taken request leaves «Доступные», so the list would not
# show it; on its own page he stays; a refused take changes nothing and goes back
LANDINGS = [
    ("consultant1", "/requests/available/?selected={id}", "/requests/{id}"),
    ("consultant1", "/requests/{id}?patient=full", "/requests/{id}?patient=full"),
    ("requester1", "/requests/outgoing/?selected={id}", "/requests/outgoing/?selected={id}"),
]


@pytest.mark.parametrize("username, came_from, lands_on", LANDINGS, ids=["taken", "on its page", "refused"])
def test_where_taking_a_request_leads(app, client_for, username, came_from, lands_on):
    with app.app_context():
        request_id = new_request().id
    answer = client_for(username).post(f"/requests/{request_id}/action/take",
                                       data={"next": came_from.format(id=request_id)})
    assert _landing(answer) == lands_on.format(id=request_id)
