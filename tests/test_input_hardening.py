"""Bad input answers 4xx with a Russian message, never 500 and never stores nonsense (issue 11, items 11
and 12): digits are ASCII digits, names are not blank, dates are plausible, lists are bounded, NUL and
lone surrogates are refused in one place, ids beyond the column's range are 404, and the error pages
render without a signed-in user."""
import datetime
import re

import pytest

from tests.conftest import make_app
from tests.requests_helpers import route, unique_policy

CYRILLIC = re.compile("[а-яё]", re.IGNORECASE)
FULL_WIDTH_SNILS = "１１２２３３４４５９５"  # 112-233-445 95, a valid number, in full-width digits
ARABIC_INDIC_SNILS = "١١٢٢٣٣٤٤٥٩٥"
TOMORROW = datetime.date.today() + datetime.timedelta(days=1)


def body(app, patient=None, **changes):
    with app.app_context():
        route_id = route("Кардиология", "ГКБ № 1").id
    payload = {
        "route": route_id, "urgency": "urgent", "mode": "deferred", "goal": 1, "question": "Вопрос",
        "anamnesis": "Анамнез", "diagnosis_code": "I20.0", "diagnosis_text": "Стенокардия", "consent_given": True,
        "patient": {"last_name": "Цифров", "first_name": "Иван", "birth_date": "1970-01-02", "sex": "male",
                    "oms_policy": unique_policy(), **(patient or {})},
        "external_records": [{"source": "odii", "record_date": "2026-11-01", "title": "ЭКГ"}],
        "submit": True,
    }
    payload.update(changes)
    return payload


def record(**changes):
    return {"source": "odii", "record_date": "2026-11-01", "title": "ЭКГ", **changes}


BAD_BODIES = {
    "full-width SNILS": {"patient": {"snils": FULL_WIDTH_SNILS}},
    "Arabic-Indic SNILS": {"patient": {"snils": ARABIC_INDIC_SNILS}},
    "zero SNILS": {"patient": {"snils": "000-000-000 00"}},
    "full-width policy": {"patient": {"oms_policy": "１２３４５６７８９０１２３４５６"}},
    # as a draft: a submission refused it later, as an incomplete draft, after storing it
    "surname of spaces": {"patient": {"last_name": "   "}, "submit": False},
    "first name of spaces": {"patient": {"first_name": "\u00a0 "}, "submit": False},
    "born before 1900": {"patient": {"birth_date": "1899-12-31"}},
    "born tomorrow": {"patient": {"birth_date": TOMORROW.isoformat()}},
    "record of tomorrow": {"external_records": [record(record_date=TOMORROW.isoformat())]},
    "101 records": {"external_records": [record()] * 101},
    "full-width ICD-10": {"diagnosis_code": "I２0.0"},
}


@pytest.mark.parametrize("change", BAD_BODIES.values(), ids=BAD_BODIES.keys())
def test_the_api_refuses_nonsense_with_a_russian_message(app, api, change):
    change = dict(change)
    answer = api("POST", "/api/v1/requests/", "requester1", json=body(app, change.pop("patient", None), **change))
    assert answer.status_code == 422, answer.json
    assert CYRILLIC.search(str(answer.json))


def test_the_api_names_the_records_limit(app, api):
    answer = api("POST", "/api/v1/requests/", "requester1", json=body(app, external_records=[record()] * 101))
    assert "100" in str(answer.json)


def form(app, **changes):
    data = {
        "urgency": "urgent", "mode": "deferred", "goal": "5", "question": "Вопрос", "anamnesis": "Одышка",
        "diagnosis_code": "I20.8", "diagnosis_text": "Стенокардия", "patient_oms_policy": unique_policy(),
        "patient_last_name": "Формова", "patient_first_name": "Анна", "patient_birth_date": "03.04.1955",
        "patient_sex": "female", "consent_given": "y", "records-0-source": "odii",
        "records-0-record_date": "20.11.2026", "records-0-title": "ЭКГ", "send": "submit",
    }
    data.update(changes)
    return data


BAD_FORMS = {
    "full-width SNILS": {"patient_snils": FULL_WIDTH_SNILS},
    "Arabic-Indic SNILS": {"patient_snils": ARABIC_INDIC_SNILS},
    "zero SNILS": {"patient_snils": "000-000-000 00"},
    "full-width policy": {"patient_oms_policy": "１２３４５６７８９０１２３４５６"},
    "surname of spaces": {"patient_last_name": "   "},
    "born before 1900": {"patient_birth_date": "31.12.1899"},
    "record of tomorrow": {"records-0-record_date": TOMORROW.strftime("%d.%m.%Y")},
    "goal in superscript": {"goal": "²"},
}


@pytest.mark.parametrize("change", BAD_FORMS.values(), ids=BAD_FORMS.keys())
def test_the_form_refuses_nonsense(app, client_for, change):
    from app.extensions import db
    from app.models import ConsultationRequest

    with app.app_context():
        route_id = route("Кардиология", "ГКБ № 1").id
        before = db.session.query(ConsultationRequest).count()
    answer = client_for("requester1").post(f"/requests/new/route/{route_id}", data=form(app, **change))
    assert answer.status_code == 200  # the form again, with the message next to the field
    assert "has-error" in answer.text or "alert-danger" in answer.text
    with app.app_context():
        assert db.session.query(ConsultationRequest).count() == before


@pytest.mark.parametrize("query", ["page=²", "page_size=１０", "profile=٣"])
def test_list_numbers_are_ascii(app, api, query):
    assert api("GET", f"/api/v1/requests/tab/all?{query}", "requester1").status_code == 400


# ---- item 12: NUL, lone surrogates, ids out of range, error pages without a user, over-size scans

INVALID_TEXT = "Текст содержит недопустимые символы"


def test_nul_and_lone_surrogates_are_refused_everywhere(app, api, client_for):
    answers = [
        api("POST", "/api/v1/requests/", "requester1", json=body(app, question="Вопрос\x00")),
        api("POST", "/api/v1/requests/", "requester1", json=body(app, patient={"last_name": "Ab\x00"})),
        # a lone surrogate only travels as a JSON escape
        api("POST", "/api/v1/requests/", "requester1", data='{"question": "\\ud800"}',
            content_type="application/json"),
        api("GET", "/api/v1/requests/tab/all?q=%00", "requester1"),
    ]
    page = client_for("requester1")
    with app.app_context():
        route_id = route("Кардиология", "ГКБ № 1").id
    answers += [
        page.get("/requests/all/?q=a%00b"),
        page.post(f"/requests/new/route/{route_id}", data=form(app, question="Вопрос\x00")),
        page.get("/directory/list/?_flt_0_last_name=%00"),
    ]
    for answer in answers:
        assert answer.status_code == 400, (answer.request.path, answer.status_code)
        assert INVALID_TEXT in answer.text or INVALID_TEXT in str(answer.json)


@pytest.mark.parametrize("url", [
    "/api/v1/requests/2147483648", "/api/v1/requests/99999999999999999999", "/api/v1/requests/0",
    "/api/v1/requests/9999999999/messages", "/api/v1/requests/1/messages/9999999999/file",
    "/api/v1/requests/9999999999/conclusion",
])
def test_api_ids_beyond_the_column_are_404(app, api, url):
    assert api("GET", url, "regadmin").status_code == 404


@pytest.mark.parametrize("url", ["/requests/2147483648", "/requests/new/route/99999999999",
                                 "/requests/new/profile/2147483648", "/requests/1/files/99999999999"])
def test_page_ids_beyond_the_column_are_404(app, client_for, url):
    assert client_for("requester1").get(url).status_code == 404


def test_body_ids_beyond_the_column_are_refused(app, api):
    too_big = 2**31
    created = api("POST", "/api/v1/requests/", "requester1", json=body(app, route=too_big))
    assert created.status_code == 422
    goal = api("POST", "/api/v1/requests/", "requester1", json=body(app, goal=too_big))
    assert goal.status_code == 422
    listed = api("GET", f"/api/v1/requests/tab/all?profile={too_big}", "requester1")
    assert listed.status_code == 400


@pytest.fixture()
def strict_app(app):
    """The same database with CSRF on and a small upload limit, as in production."""
    strict = make_app(app.config["SQLALCHEMY_DATABASE_URI"], WTF_CSRF_ENABLED=True, MAX_CONTENT_LENGTH=4096)
    yield strict
    with strict.app_context():
        from app.extensions import db

        db.session.remove()


def _csrf_login(client, username):
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', client.get("/login/").text).group(1)
    assert client.post("/login/", data={"username": username, "password": "Demo-2026!",
                                         "csrf_token": token}).status_code == 302
    return client


def test_a_failed_csrf_check_and_an_over_size_form_render_the_error_page(app, strict_app):
    anonymous = strict_app.test_client()
    refused = anonymous.post("/login/", data={"username": "requester1", "password": "x"})
    assert refused.status_code == 400 and CYRILLIC.search(refused.text)
    signed_in = _csrf_login(strict_app.test_client(), "requester1")
    with app.app_context():
        route_id = route("Кардиология", "ГКБ № 1").id
    no_token = signed_in.post(f"/requests/new/route/{route_id}", data=form(app))
    assert no_token.status_code == 400 and CYRILLIC.search(no_token.text)
    too_big = signed_in.post(f"/requests/new/route/{route_id}", data=form(app, anamnesis="х" * 10000))
    assert too_big.status_code == 413 and "Файл слишком большой" in too_big.text


def test_an_over_size_scan_on_the_api_is_413(app, api):
    with app.app_context():
        from tests.requests_helpers import new_request, user
        from app.workflow import apply

        request_id = apply(user("consultant1"), new_request(), "take").id
    limit = app.config["MAX_CONTENT_LENGTH"]
    scan = b"%PDF-1.4\n" + b"0" * (limit + 1024 * 1024)
    import io

    answer = api("POST", f"/api/v1/requests/{request_id}/conclusion/scan", "consultant1",
                 data={"file": (io.BytesIO(scan), "scan.pdf")}, content_type="multipart/form-data")
    assert answer.status_code == 413
    assert CYRILLIC.search(answer.json["message"])


def test_a_form_part_without_a_name_is_refused_not_a_server_error(app, api):
    """The fuzz found it on PostgreSQL: a multipart part without a name reads as field None, and the
    Russian «unknown field» answer then failed to sort its keys (500)."""
    with app.app_context():
        from tests.requests_helpers import new_request

        request_id = new_request().id
    body = (b"--XX\r\nContent-Disposition: form-data\r\n\r\nhello\r\n"
            b"--XX\r\nContent-Disposition: form-data; name=\"text\"\r\n\r\nhi\r\n--XX--\r\n")
    answer = api("POST", f"/api/v1/requests/{request_id}/messages", "requester1", data=body,
                 content_type="multipart/form-data; boundary=XX")
    assert answer.status_code == 400
    assert answer.json["message"] == "У каждого поля формы должно быть имя"


# a FAB <pk> is a string in its routes; list pages, the chat's history and body ids take numbers too
@pytest.mark.parametrize("url, expected", [
    ("/directory/show/99999999999", 404), ("/patient-mismatches/show/2147483648", 404),
    ("/tmkusermodelview/edit/99999999999", 404), ("/directory/list/?page_UserDirectoryView=%C2%B2", 400),
    ("/documents/?page=%C2%B2", 400), ("/requests/all/?page=%C2%B2", 400), ("/requests/all/?profile=99999999999", 400),
])
def test_pages_take_ascii_numbers_and_ids_in_range(app, client_for, url, expected):
    assert client_for("regadmin").get(url).status_code == expected


def test_api_numbers_in_the_query_and_the_body(app, api):
    from tests.requests_helpers import new_request

    with app.app_context():
        request_id = new_request().id
    messages = f"/api/v1/requests/{request_id}/messages"
    assert api("GET", f"{messages}?after=99999999999", "requester1").status_code == 400
    assert api("GET", f"{messages}?after=%C2%B2", "requester1").status_code == 400
    assert api("POST", messages, "requester1", json={"document_id": 2**31}).status_code == 422
    for method in ("PUT", "DELETE"):
        assert api(method, "/api/v1/users/99999999999", "regadmin", json={"first_name": "Икс"}).status_code == 404


def test_account_birth_dates_are_plausible_too(app, api, client_for):
    with app.app_context():
        from tests.requests_helpers import user

        account_id = user("consultant3").id
    for birth_date in ("1899-12-31", TOMORROW.isoformat()):
        answer = api("PUT", f"/api/v1/users/{account_id}", "regadmin", json={"birth_date": birth_date})
        assert answer.status_code == 422 and CYRILLIC.search(str(answer.json)), answer.json
    profile = client_for("consultant3").post("/profile/info", data={
        "first_name": "Имя", "last_name": "Фамилия", "birth_date": "31.12.1899"})
    assert profile.status_code == 422 and "1900" in profile.text
