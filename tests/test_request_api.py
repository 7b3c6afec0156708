"""The REST API for medical information systems: the whole cycle, the same rules, clear errors."""
import pytest

from tests.requests_helpers import route, unique_policy



def body(app, profile="Кардиология", org="ГКБ № 1", **changes):
    with app.app_context():
        route_id = route(profile, org).id
    payload = {
        "route": route_id, "urgency": "urgent", "mode": "deferred", "goal": 1, "question": "Вопрос",
        "anamnesis": "Анамнез", "diagnosis_code": "I20.0", "diagnosis_text": "Стенокардия", "consent_given": True,
        "patient": {"last_name": "Апиев", "first_name": "Иван", "birth_date": "1970-01-02", "sex": "male",
                    "oms_policy": unique_policy()},
        "external_records": [{"source": "odii", "record_date": "2026-11-01", "title": "ЭКГ", "summary": "Ритм синусовый"}],
        "submit": True,
    }
    payload.update(changes)
    return payload


def test_routes_list(app, api):
    response = api("GET", "/api/v1/routes/", "requester1")
    assert response.status_code == 200
    cardiology = [r for r in response.json["result"] if r["care_profile"]["name"] == "Кардиология"]
    assert len(cardiology) == 2
    assert all(r["assignment"] == "pool" and not r["requires_approval"] for r in cardiology)
    assert set(cardiology[0]["urgencies"]) == {"emergency", "urgent", "planned"}


def test_the_whole_cycle_through_the_api(app, api):
    created = api("POST", "/api/v1/requests/", "requester1", json=body(app))
    assert created.status_code == 201, created.json
    request_id = created.json["result"]["id"]
    assert created.json["result"]["status"] == "new"
    assert created.json["result"]["external_records"][0]["title"] == "ЭКГ"

    assert api("POST", f"/api/v1/requests/{request_id}/take", "consultant1").json["result"]["status"] == "in_work"
    asked = api("POST", f"/api/v1/requests/{request_id}/request_info", "consultant1", json={"comment": "ЭхоКГ?"})
    assert asked.json["result"]["status"] == "awaiting_info"
    given = api("POST", f"/api/v1/requests/{request_id}/provide_info", "requester1", json={"comment": "Во вложении"})
    assert given.json["result"]["status"] == "in_work"
    with app.app_context():
        from tests.requests_helpers import user

        other = user("consultant2").id
    moved = api("POST", f"/api/v1/requests/{request_id}/transfer", "consultant1",
                json={"consultant_id": other, "reason": "Отпуск"})
    assert moved.json["result"]["status"] == "new"
    assert api("POST", f"/api/v1/requests/{request_id}/take", "consultant2").status_code == 200
    refused = api("POST", f"/api/v1/requests/{request_id}/refuse", "consultant2", json={"reason": "Не по профилю"})
    assert refused.json["result"]["status"] == "refused"
    detail = api("GET", f"/api/v1/requests/{request_id}", "requester1").json["result"]
    assert [h["action"] for h in detail["history"]] == ["create", "submit", "take", "request_info", "provide_info",
                                                       "deadline_paused", "transfer", "take", "refuse"]


def test_approval_and_drafts_through_the_api(app, api):
    draft = api("POST", "/api/v1/requests/", "requester1", json=body(app, question="", submit=False))
    assert draft.status_code == 201 and draft.json["result"]["status"] == "draft"
    listed = api("GET", "/api/v1/requests/tab/drafts", "requester1").json
    assert draft.json["result"]["id"] in [r["id"] for r in listed["result"]]

    pending = api("POST", "/api/v1/requests/", "requester1", json=body(app, "Онкология", "ОКБ", urgency="planned"))
    request_id = pending.json["result"]["id"]
    assert pending.json["result"]["status"] == "on_approval"
    assert api("POST", f"/api/v1/requests/{request_id}/approve", "requester1").status_code == 409  # the author
    assert api("POST", f"/api/v1/requests/{request_id}/approve", "moadmin1").status_code == 404  # other МО
    approved = api("POST", f"/api/v1/requests/{request_id}/approve", "moadmin2")
    assert approved.status_code == 200 and approved.json["result"]["status"] == "new"
    assert approved.json["result"]["due_at"] is not None


def test_wrong_action_for_the_status_is_409_in_russian(app, api):
    request_id = api("POST", "/api/v1/requests/", "requester1", json=body(app)).json["result"]["id"]
    response = api("POST", f"/api/v1/requests/{request_id}/refuse", "requester1", json={"reason": "x"})
    assert response.status_code == 409
    assert response.json["message"] == "Вы не можете отказать по этой заявке"
    api("POST", f"/api/v1/requests/{request_id}/take", "consultant1")
    # once taken, the request leaves the common queue: a colleague no longer sees it at all
    assert api("POST", f"/api/v1/requests/{request_id}/take", "consultant2").status_code == 404
    again = api("POST", f"/api/v1/requests/{request_id}/take", "consultant1")
    assert again.status_code == 409 and again.json["message"] == "Вы не можете взять эту заявку в работу"


def test_missing_reason_is_422(app, api):
    request_id = api("POST", "/api/v1/requests/", "requester1", json=body(app)).json["result"]["id"]
    api("POST", f"/api/v1/requests/{request_id}/take", "consultant1")
    response = api("POST", f"/api/v1/requests/{request_id}/refuse", "consultant1", json={})
    assert response.status_code == 422 and response.json["message"] == "Укажите причину отказа"


@pytest.mark.parametrize("payload, status", [
    ("not json", 400),
    ([1, 2], 400),
])
def test_bad_json_is_400(app, api, payload, status):
    kwargs = {"data": payload, "content_type": "application/json"} if isinstance(payload, str) else {"json": payload}
    response = api("POST", "/api/v1/requests/", "requester1", **kwargs)
    assert response.status_code == status and response.json["message"]


def test_wrong_types_are_422_with_russian_messages(app, api):
    response = api("POST", "/api/v1/requests/", "requester1",
                   json=body(app, route="abc", goal="x", patient={"last_name": 5}, urgency="soon"))
    assert response.status_code == 422
    message = response.json["message"]
    assert message["route"] == ["Ожидается целое число"]
    assert message["urgency"] == ["Выберите одно из допустимых значений"]
    assert message["patient"]["first_name"] == ["Обязательное поле"]


def test_incomplete_submission_is_422_per_field(app, api):
    response = api("POST", "/api/v1/requests/", "requester1", json=body(app, consent_given=False, diagnosis_code="Z"))
    assert response.status_code == 422
    assert set(response.json["fields"]) >= {"consent_given", "diagnosis_code"}


def test_tab_paging_and_bad_parameters(app, api):
    first = api("GET", "/api/v1/requests/tab/all?page_size=2&page=0", "regadmin").json
    assert first["page_size"] == 2 and len(first["result"]) == 2 and first["count"] >= 2
    assert api("GET", "/api/v1/requests/tab/all?page_size=1000", "regadmin").status_code == 400
    assert api("GET", "/api/v1/requests/tab/all?page=x", "regadmin").status_code == 400
    assert api("GET", "/api/v1/requests/tab/nope", "regadmin").status_code == 404
    closed = api("GET", "/api/v1/requests/tab/all?closed=1&page_size=100", "regadmin").json["result"]
    assert closed and all(r["status"] in ("completed", "refused", "cancelled") for r in closed)


def test_openapi_describes_the_endpoints(app):
    from tests.conftest import login

    client = login(app.test_client(), "regadmin")
    spec = client.get("/api/v1/_openapi").json
    paths = spec["paths"]
    for path in ("/requests/", "/requests/{request_id}", "/requests/tab/{tab}", "/requests/{request_id}/{action}",
                 "/routes/", "/requests/{request_id}/messages", "/requests/{request_id}/conclusion",
                 "/requests/{request_id}/conclusion/render", "/requests/{request_id}/conclusion/signature",
                 "/requests/{request_id}/conclusion/skip_signature", "/requests/{request_id}/conclusion/scan",
                 "/requests/{request_id}/documents", "/requests/{request_id}/documents/{document_id}",
                 "/requests/{request_id}/conclusion/zip"):
        assert "/api/v1" + path in paths, path
    described = paths["/api/v1/requests/{request_id}/{action}"]["post"]["responses"]
    assert described["409"]["description"].startswith("the action is not possible")
    assert {"CreateRequestSchema", "ConclusionSchema"} <= set(spec["components"]["schemas"])
    assert set(paths["/api/v1/requests/{request_id}/conclusion"]) == {"get", "put"}
