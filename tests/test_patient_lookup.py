"""«Найти пациента» on the request form (issue 13, item 5): by СНИЛС or полис ОМС, only among the patients of
requests the user may see — never an oracle of another МО's patients (issue 11, item 4): an unknown
number and an invisible one get the same answer."""
import dataclasses
import random
import re

import pytest

from app.extensions import db
from app.models import AuditEvent
from app.schemas.identifiers import format_snils
from tests.conftest import login, make_app
from tests.requests_helpers import new_request, request_data, unique_policy, user

URL = "/requests/patients/lookup"


def unique_snils() -> str:
    """A СНИЛС with a right check number, above the numbers issued before the rule."""
    number = f"{random.randrange(2_000_000, 999_999_999):09d}"
    check = sum(int(d) * w for d, w in zip(number, range(9, 0, -1))) % 101
    return number + f"{0 if check == 100 else check:02d}"


@pytest.fixture()
def patients(app):
    """requester1's patient (ЦРБ Приозёрск) and requester2's (РБ Лесной), each with a СНИЛС and a полис."""
    made = {}
    with app.app_context():
        for username, last_name in (("requester1", "Свой"), ("requester2", "Чужой")):
            data = request_data()
            data.patient = dataclasses.replace(data.patient, last_name=last_name, snils=unique_snils(),
                                               oms_policy=unique_policy())
            from app.workflow.requests import save_request

            save_request(user(username), data, submit=True)
            made[username] = data.patient
    return made


def lookup(client, **body):
    return client.post(URL, json=body)


def test_the_requester_finds_the_patient_of_his_request(app, patients):
    mine = patients["requester1"]
    client = login(app.test_client(), "requester1")
    for body in ({"snils": format_snils(mine.snils)}, {"snils": mine.snils}, {"oms_policy": mine.oms_policy},
                 {"snils": mine.snils, "oms_policy": mine.oms_policy}):
        answer = lookup(client, **body)
        assert answer.status_code == 200, body
        assert answer.json == {"result": {
            "last_name": "Свой", "first_name": "Пётр", "middle_name": "Петрович", "birth_date": "17.05.1960",
            "sex": "male", "snils": format_snils(mine.snils), "oms_policy": mine.oms_policy}}


def test_another_mos_patient_is_not_found_like_an_unknown_number(app, patients):
    theirs, mine = patients["requester2"], patients["requester1"]
    client = login(app.test_client(), "requester1")
    answers = [lookup(client, snils=theirs.snils), lookup(client, oms_policy=theirs.oms_policy),
               lookup(client, snils=unique_snils()), lookup(client, oms_policy=unique_policy()),
               # his own СНИЛС with another's полис is no patient of his either
               lookup(client, snils=mine.snils, oms_policy=theirs.oms_policy)]
    assert {(a.status_code, a.get_data(as_text=True)) for a in answers} == {
        (404, answers[0].get_data(as_text=True))}
    assert answers[0].json == {"message": "Пациент не найден"}
    assert "Чужой" not in "".join(a.get_data(as_text=True) for a in answers)
    # and requester2 finds his own
    assert lookup(login(app.test_client(), "requester2"), snils=theirs.snils).json["result"]["last_name"] == "Чужой"


@pytest.mark.parametrize("body, message", [
    ({}, "Введите СНИЛС или номер полиса ОМС"),
    ({"snils": "  "}, "Введите СНИЛС или номер полиса ОМС"),
    ({"snils": 12345678901}, "Введите СНИЛС или номер полиса ОМС"),
    ({"snils": "１１２２３３４４５９５"}, "СНИЛС должен содержать 11 цифр, например 112-233-445 95"),
    ({"snils": "000-000-000 00"}, "Такого СНИЛС не бывает: проверьте цифры"),
    ({"snils": "112-233-445 96"}, None),
    ({"oms_policy": "12345"}, None),
    ({"oms_policy": "٠١٢٣٤٥٦٧٨٩٠١٢٣٤٥"}, None),
    ({"snils": "9" * 40}, None),
], ids=["nothing", "spaces", "a number", "full-width digits", "zeros", "check number", "short policy",
        "arabic-indic policy", "too long"])
def test_bad_input_is_refused_in_russian(app, body, message):
    answer = lookup(login(app.test_client(), "requester1"), **body)
    assert answer.status_code == 422
    assert re.search("[А-Яа-я]", answer.json["message"])
    if message:
        assert answer.json["message"] == message


def test_a_body_that_is_not_json_is_refused(app):
    client = login(app.test_client(), "requester1")
    assert client.post(URL, json={"snils": "1\x00" * 6}).status_code == 400  # the door's guard (input_guard.py)
    assert client.post(URL, data="snils=11223344595").status_code == 422
    assert client.post(URL, json=["11223344595"]).status_code == 422


@pytest.mark.parametrize("username", ["consultant1", "coordinator1", "moadmin2", "regadmin"])
def test_only_who_creates_requests_may_look_up(app, patients, username):
    assert lookup(login(app.test_client(), username), snils=patients["requester1"].snils).status_code == 403


def test_without_signing_in_nothing_is_answered(app, patients):
    answer = app.test_client().post(URL, json={"snils": patients["requester1"].snils})
    assert answer.status_code == 302 and "Свой" not in answer.get_data(as_text=True)


def test_the_lookup_is_audited_without_the_number(app, patients):
    mine = patients["requester1"]
    client = login(app.test_client(), "requester1")
    lookup(client, snils=mine.snils)
    lookup(client, snils=unique_snils())
    with app.app_context():
        rows = (db.session.query(AuditEvent).filter(AuditEvent.user_id == user("requester1").id,
                                                    AuditEvent.action.like("lookup_patient%"))
                .order_by(AuditEvent.id.desc()).limit(2).all())
        assert [row.action for row in rows] == ["lookup_patient_missed", "lookup_patient"]
        assert all(mine.snils not in (row.detail or "") + row.object_id for row in rows)


def test_the_form_posts_with_its_csrf_token(app, patients):
    """With CSRF on: the page's token in X-CSRFToken is required, as for every page's POST."""
    guarded = make_app(app.config["SQLALCHEMY_DATABASE_URI"], WTF_CSRF_ENABLED=True)
    client = guarded.test_client()
    page = client.get("/login/").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    client.post("/login/", data={"username": "requester1", "password": "Demo-2026!", "csrf_token": token})
    with guarded.app_context():
        route_id = new_request().route_id  # (any route: the form only gives the page's token)
    form = client.get(f"/requests/new/route/{route_id}").get_data(as_text=True)
    assert 'class="form-group tmk-patient-lookup"' in form and "Найти пациента" in form
    meta = re.search(r'<meta name="csrf-token" content="([^"]+)"', form).group(1)
    body = {"snils": patients["requester1"].snils}
    assert client.post(URL, json=body).status_code == 400
    answer = client.post(URL, json=body, headers={"X-CSRFToken": meta})
    assert answer.status_code == 200 and answer.json["result"]["last_name"] == "Свой"
