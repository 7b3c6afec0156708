"""Creating a request tells the requester nothing about patients of requests he does not take part in:
a СНИЛС or полис of someone else's patient answers exactly like a new number, with what he typed;
a different name or birth date is recorded for the МО administrator instead (issue 11, item 4)."""
import json
import random

import pytest

from tests.conftest import visible_text
from tests.requests_helpers import route, unique_policy

SECRET = {"last_name": "Засекреченный", "first_name": "Тайновид", "middle_name": "Скрытович",
          "birth_date": "1951-03-04", "sex": "male"}
MISMATCH_LIST = "/patient-mismatches/list/"


def valid_snils() -> str:
    """A random СНИЛС with a right check number (above the numbers issued before the rule)."""
    while True:
        number = f"{random.randint(2_000_000, 999_999_999):09d}"
        total = sum(int(digit) * weight for digit, weight in zip(number, range(9, 0, -1))) % 101
        return number + f"{0 if total == 100 else total:02d}"


def body(app, patient: dict) -> dict:
    with app.app_context():
        route_id = route("Кардиология", "ГКБ № 1").id
    return {"route": route_id, "urgency": "urgent", "mode": "deferred", "goal": 1, "question": "Вопрос",
            "anamnesis": "Анамнез", "diagnosis_code": "I20.0", "diagnosis_text": "Стенокардия",
            "consent_given": True, "patient": patient, "submit": True}


def shape(value):
    """The keys and value types of an answer, without the values."""
    if isinstance(value, dict):
        return {key: shape(item) for key, item in value.items()}
    if isinstance(value, list):
        return [shape(item) for item in value[:1]]
    return type(value).__name__


@pytest.fixture()
def secret_patient(app, api):
    """A patient only РБ Лесной's requests have (requester2), with both numbers."""
    patient = {**SECRET, "snils": valid_snils(), "oms_policy": unique_policy()}
    created = api("POST", "/api/v1/requests/", "requester2", json=body(app, patient))
    assert created.status_code == 201, created.json
    return patient


def readable(response) -> str:
    """A page's text, or an API answer with its Cyrillic unescaped."""
    return json.dumps(response.json, ensure_ascii=False) if response.is_json else response.text


def assert_nothing_of(secret: dict, *texts: str, surname: bool = True) -> None:
    for text in texts:
        for value in (secret["first_name"], secret["middle_name"], secret["oms_policy"],
                      *(["Засекречен"] if surname else [])):
            assert value not in text


@pytest.mark.parametrize("same_surname_and_birth", [False, True], ids=["other name", "same surname and birth"])
def test_someone_elses_snils_answers_like_a_new_number(app, api, client_for, secret_patient, same_surname_and_birth):
    typed = {"last_name": "Новиков", "first_name": "Пётр", "middle_name": "", "birth_date": "1980-06-07",
             "sex": "male", "snils": secret_patient["snils"], "oms_policy": ""}
    if same_surname_and_birth:  # the probe: a surname and a birth date guessed, to learn the rest
        typed.update(last_name=secret_patient["last_name"], birth_date=secret_patient["birth_date"])
    answer = api("POST", "/api/v1/requests/", "requester1", json=body(app, typed))
    fresh = api("POST", "/api/v1/requests/", "requester1", json=body(app, {**typed, "snils": valid_snils()}))
    assert answer.status_code == fresh.status_code == 201, answer.json
    assert shape(answer.json) == shape(fresh.json)
    result = answer.json["result"]
    shown = result["patient"]
    assert {key: shown[key] or "" for key in typed} == typed
    request_id = result["id"]
    page = client_for("requester1")
    answers = [answer, api("GET", f"/api/v1/requests/{request_id}", "requester1"),
               api("GET", "/api/v1/requests/tab/outgoing?q=Засекреченный", "requester1"),
               page.get(f"/requests/{request_id}"), page.get(f"/requests/{request_id}?patient=full")]
    assert all(a.status_code == 200 for a in answers[1:])
    assert_nothing_of(secret_patient, *map(readable, answers), surname=not same_surname_and_birth)

    for username, sees in (("moadmin2", True), ("regadmin", True), ("moadmin1", False)):
        listed = client_for(username).get(MISMATCH_LIST)
        assert listed.status_code == 200
        assert (result["number"] in visible_text(listed.text)) is sees, username
        # the МО administrator learns which data differ, not the other patient's data
        assert_nothing_of(secret_patient, listed.text)
    assert client_for("requester1").get(MISMATCH_LIST).status_code in (302, 403, 404)


def test_the_form_shows_what_was_typed(app, client_for, secret_patient):
    with app.app_context():
        route_id = route("Кардиология", "ГКБ № 1").id
    page = client_for("requester1")
    posted = page.post(f"/requests/new/route/{route_id}", data={
        "urgency": "urgent", "mode": "deferred", "goal": "1", "question": "Вопрос", "anamnesis": "Анамнез",
        "diagnosis_code": "I20.0", "diagnosis_text": "Стенокардия", "consent_given": "y", "send": "submit",
        "patient_snils": secret_patient["snils"], "patient_last_name": "Формов", "patient_first_name": "Олег",
        "patient_birth_date": "04.03.1951", "patient_sex": "male",
    })
    assert posted.status_code == 302, visible_text(posted.text)
    shown = page.get(posted.headers["Location"] + "?patient=full").text
    assert "Формов" in shown
    assert_nothing_of(secret_patient, shown)


def test_the_same_data_finds_the_same_patient(app, api, secret_patient):
    again = api("POST", "/api/v1/requests/", "requester2", json=body(app, secret_patient))
    assert again.status_code == 201
    with app.app_context():
        from app.extensions import db
        from app.models import ConsultationRequest, Patient

        ids = {r.patient_id for r in db.session.query(ConsultationRequest).join(Patient)
               .filter(Patient.snils == secret_patient["snils"])}
        assert len(ids) == 1


def test_a_draft_keeps_its_own_patient_row_when_corrected(app):
    """Correcting a typo in a draft changes the draft's own row: no mismatch with itself, no orphan row."""
    import datetime

    from app.extensions import db
    from app.models import Patient, PatientIdentityMismatch
    from app.workflow.requests import save_request
    from app.workflow.validation import PatientData
    from tests.requests_helpers import request_data, user

    with app.app_context():
        snils = valid_snils()
        data = request_data()
        data.patient = PatientData(last_name="Опечаткин", first_name="Ян", birth_date=datetime.date(1990, 1, 2),
                                   sex="male", snils=snils)
        draft = save_request(user("requester1"), data, submit=False)
        data.patient.last_name = "Исправлен"
        save_request(user("requester1"), data, submit=False, request=draft)
        rows = db.session.query(Patient).filter_by(snils=snils).all()
        assert [p.last_name for p in rows] == ["Исправлен"]
        assert db.session.query(PatientIdentityMismatch).filter_by(request_id=draft.id).count() == 0
