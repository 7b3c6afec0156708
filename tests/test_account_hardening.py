"""Accounts under a hostile МО administrator (issue 11, items 1, 2, 7 and the reset-password action).

The actor is judged as he is stored, not as the request is turning him; an account with a history is
never deleted; nested objects never create rows; no SQL text reaches a client. Every test changes
accounts, so the module has a database of its own.
"""
import re

import pytest
import sqlalchemy as sa
from flask_appbuilder.security.sqla.models import Role

from app.extensions import db
from app.models import CareProfile, MedicalOrganization, TmkUser
from app.security import roles
from tests.conftest import DEMO_PASSWORD, app_with_own_database
from tests.databases import backends

SQL_WORDS = re.compile(r"(?i)\b(insert|update|delete from|select|foreign key|violates|constraint|sqlite|psycopg)\b")


@pytest.fixture(scope="module", params=backends())
def app(request, tmp_path_factory):
    with app_with_own_database(request.param, tmp_path_factory.mktemp("accounts")) as application:
        yield application


@pytest.fixture(scope="module")
def known(app):
    with app.app_context():
        return {
            "users": {u.username: u.id for u in db.session.query(TmkUser)},
            "orgs": {o.short_name: o.id for o in db.session.query(MedicalOrganization)},
            "roles": {r.name: r.id for r in db.session.query(Role)},
        }


def token(app, username):
    response = app.test_client().post("/api/v1/security/login", json={
        "username": username, "password": DEMO_PASSWORD, "provider": "db"})
    assert response.status_code == 200, response.get_data(as_text=True)
    return {"Authorization": f"Bearer {response.json['access_token']}"}


def put(app, actor, user_id, body):
    return app.test_client().put(f"/api/v1/users/{user_id}", json=body, headers=token(app, actor))


def stored(app, user_id):
    """(МО, role names, active) of an account as committed."""
    with app.app_context():
        user = db.session.get(TmkUser, user_id)
        if user is None:
            return None
        return user.organization_id, sorted(role.name for role in user.roles), user.active


def russian(response):
    message = str(response.json["message"])
    assert re.search("[а-яА-Я]", message), message
    assert not SQL_WORDS.search(message), message
    return message


# ---- 1. privilege escalation: the actor as he was before the change ----

@pytest.mark.parametrize("target", ["moadmin2", "requester1"])  # himself, an account of his МО
def test_api_mo_admin_cannot_give_the_regional_role(app, known, target):
    users, role_ids = known["users"], known["roles"]
    before = stored(app, users[target])
    current = [role_ids[name] for name in before[1]]
    response = put(app, "moadmin2", users[target], {"roles": [role_ids[roles.REGIONAL_ADMIN], *current]})
    assert response.status_code == 422, response.get_data(as_text=True)
    assert russian(response) == "Эту роль может назначить только региональный администратор"
    assert stored(app, users[target]) == before
    # and he still is what he was: another МО's accounts stay out of his reach
    headers = token(app, "moadmin2")
    assert app.test_client().get(f"/api/v1/users/{users['regadmin']}", headers=headers).status_code == 404


def test_api_mo_admin_cannot_touch_another_mo_account(app, known):
    users, role_ids = known["users"], known["roles"]
    before = stored(app, users["consultant1"])
    for body in ({"roles": [role_ids[roles.REGIONAL_ADMIN]]}, {"roles": [role_ids[roles.REQUESTER]]}):
        assert put(app, "moadmin2", users["consultant1"], body).status_code == 404
    assert app.test_client().delete(f"/api/v1/users/{users['consultant1']}",
                                    headers=token(app, "moadmin2")).status_code == 404
    assert stored(app, users["consultant1"]) == before


@pytest.mark.parametrize("target", ["moadmin2", "requester1"])
def test_api_mo_admin_cannot_move_an_account_to_another_mo(app, known, target):
    users, orgs = known["users"], known["orgs"]
    before = stored(app, users[target])
    response = put(app, "moadmin2", users[target], {"organization": orgs["ОКБ"]})
    assert response.status_code == 422
    assert russian(response) == "Вы можете управлять только пользователями своей медицинской организации"
    assert stored(app, users[target]) == before


@pytest.mark.parametrize("target", ["moadmin2", "requester1"])
def test_api_mo_admin_grants_and_removes_ordinary_roles(app, known, target):
    users, role_ids = known["users"], known["roles"]
    before = stored(app, users[target])
    current = [role_ids[name] for name in before[1]]
    extra = role_ids[roles.CONSULTANT]
    response = put(app, "moadmin2", users[target], {"roles": [*current, extra]})
    assert response.status_code == 200, response.get_data(as_text=True)
    assert roles.CONSULTANT in stored(app, users[target])[1]
    response = put(app, "moadmin2", users[target], {"roles": current})
    assert response.status_code == 200, response.get_data(as_text=True)
    assert stored(app, users[target]) == before


def test_regional_admin_still_gives_and_takes_the_regional_role(app, known):
    users, role_ids = known["users"], known["roles"]
    target = users["moadmin1"]
    body = {"roles": [role_ids[roles.MO_ADMIN], role_ids[roles.REGIONAL_ADMIN]]}
    assert put(app, "regadmin", target, body).status_code == 200
    assert roles.REGIONAL_ADMIN in stored(app, target)[1]
    assert put(app, "regadmin", target, {"roles": [role_ids[roles.MO_ADMIN]]}).status_code == 200
    assert stored(app, target)[1] == [roles.MO_ADMIN]


def edit_form(app, user_id, **changes):
    """The edit form of an account as the browser would post it unchanged, plus the changes."""
    with app.app_context():
        user = db.session.get(TmkUser, user_id)
        form = {
            "last_name": user.last_name, "first_name": user.first_name, "middle_name": user.middle_name or "",
            "snils": user.snils or "", "username": user.username, "email": user.email,
            "organization": str(user.organization_id), "position": user.position or "",
            "roles": [str(role.id) for role in user.roles],
            "care_profiles": [str(profile.id) for profile in user.care_profiles],
            "active": "y", "email_notifications": "y",
        }
        if user.department_id:
            form["department"] = str(user.department_id)
    form.update(changes)
    return {key: value for key, value in form.items() if value is not None}


@pytest.mark.parametrize("target", ["moadmin2", "requester1"])
def test_form_mo_admin_cannot_give_the_regional_role_nor_move_the_account(app, known, client_for, target):
    users, orgs, role_ids = known["users"], known["orgs"], known["roles"]
    before = stored(app, users[target])
    client = client_for("moadmin2")
    regional = [str(role_ids[roles.REGIONAL_ADMIN]), *edit_form(app, users[target])["roles"]]
    client.post(f"/users/edit/{users[target]}", data=edit_form(app, users[target], roles=regional))
    client.post(f"/users/edit/{users[target]}", data=edit_form(app, users[target], organization=str(orgs["ОКБ"])))
    assert stored(app, users[target]) == before


@pytest.mark.parametrize("target", ["moadmin2", "requester1"])
def test_form_mo_admin_grants_and_removes_ordinary_roles(app, known, client_for, target):
    users, role_ids = known["users"], known["roles"]
    before = stored(app, users[target])
    client = client_for("moadmin2")
    current = edit_form(app, users[target])["roles"]
    response = client.post(f"/users/edit/{users[target]}",
                           data=edit_form(app, users[target], roles=[*current, str(role_ids[roles.CONSULTANT])]))
    assert response.status_code == 302, response.get_data(as_text=True)
    assert roles.CONSULTANT in stored(app, users[target])[1]
    client.post(f"/users/edit/{users[target]}", data=edit_form(app, users[target], roles=current))
    assert stored(app, users[target]) == before


def test_form_mo_admin_cannot_open_another_mo_account(app, known, client_for):
    users, role_ids = known["users"], known["roles"]
    before = stored(app, users["consultant1"])
    client = client_for("moadmin2")
    data = edit_form(app, users["consultant1"], roles=[str(role_ids[roles.REQUESTER])])
    assert client.post(f"/users/edit/{users['consultant1']}", data=data).status_code == 404
    assert client.post(f"/users/delete/{users['consultant1']}").status_code == 404
    assert stored(app, users["consultant1"]) == before


# ---- 2. deletion: foreign keys on, an account with a history is only deactivated ----

def test_sqlite_connections_enforce_foreign_keys(app):
    with app.app_context():
        if db.engine.dialect.name != "sqlite":
            pytest.skip("SQLite only")
        with db.engine.connect() as connection:
            assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1


@pytest.mark.parametrize("target", ["requester1", "consultant3", "moadmin1"])
def test_api_never_deletes_an_account_with_a_history(app, known, target):
    users = known["users"]
    before = stored(app, users[target])
    response = app.test_client().delete(f"/api/v1/users/{users[target]}", headers=token(app, "regadmin"))
    assert response.status_code == 422, response.get_data(as_text=True)
    assert "сделайте её неактивной" in russian(response)
    assert stored(app, users[target]) == before


def test_form_never_deletes_an_account_with_a_history(app, known, client_for):
    users = known["users"]
    client = client_for("regadmin")
    response = client.post(f"/users/delete/{users['requester1']}", follow_redirects=True)
    assert "сделайте её неактивной" in response.get_data(as_text=True)
    assert stored(app, users["requester1"]) is not None


def new_account(app, actor, login, organization):
    body = {"last_name": "Новиков", "first_name": "Нил", "username": login, "email": f"{login}@demo.tmk.local",
            "password": "Strong-2026!", "organization": organization, "active": True,
            "roles": [known_role(app, roles.REQUESTER)]}
    response = app.test_client().post("/api/v1/users/", json=body, headers=token(app, actor))
    assert response.status_code == 201, response.get_data(as_text=True)
    return response.json["id"]


def known_role(app, name):
    with app.app_context():
        return db.session.query(Role.id).filter_by(name=name).scalar()


def test_an_account_without_a_history_may_be_deleted(app, known, client_for):
    organization = known["orgs"]["ЦРБ Приозёрск"]
    first = new_account(app, "moadmin2", "fresh_api", organization)
    response = app.test_client().delete(f"/api/v1/users/{first}", headers=token(app, "moadmin2"))
    assert response.status_code == 200, response.get_data(as_text=True)
    assert stored(app, first) is None
    second = new_account(app, "moadmin2", "fresh_form", organization)
    client_for("moadmin2").post(f"/users/delete/{second}")
    assert stored(app, second) is None


def test_nobody_deletes_or_deactivates_himself(app, known, client_for):
    for login in ("moadmin2", "regadmin"):
        own = known["users"][login]
        before = stored(app, own)
        response = app.test_client().delete(f"/api/v1/users/{own}", headers=token(app, login))
        assert response.status_code == 422
        assert russian(response) == "Нельзя удалить собственную учётную запись"
        response = put(app, login, own, {"active": False})
        assert response.status_code == 422
        assert russian(response) == "Нельзя сделать неактивной собственную учётную запись"
        client = client_for(login)
        client.post(f"/users/edit/{own}", data=edit_form(app, own, active=None))
        client.post(f"/users/delete/{own}")
        assert stored(app, own) == before


def test_an_mo_admin_still_deactivates_a_colleague(app, known):
    target = new_account(app, "moadmin2", "leaving_doctor", known["orgs"]["ЦРБ Приозёрск"])
    assert put(app, "moadmin2", target, {"active": False}).status_code == 200
    assert stored(app, target)[2] is False


def test_a_database_refusal_is_a_russian_message_without_sql(app, known):
    """A clash the checks cannot foresee (here a login taken) answers 422 in Russian, not the SQL."""
    target = new_account(app, "moadmin2", "clash_doctor", known["orgs"]["ЦРБ Приозёрск"])
    response = put(app, "moadmin2", target, {"username": "requester1"})
    assert response.status_code == 422, response.get_data(as_text=True)
    russian(response)
    assert stored(app, target) is not None


# ---- 7. nested objects and e-mail addresses on /api/v1/users/ ----

@pytest.mark.parametrize("field, value", [
    ("care_profiles", [{"id": 900, "name": "Профиль из запроса"}]),
    ("roles", [{"id": 900, "name": "Роль из запроса"}]),
    ("roles", [900]),
    ("care_profiles", [900]),
    ("organization", {"id": 900, "name": "МО из запроса"}),
    ("organization", 900),
    ("department", {"id": 900, "name": "Отделение из запроса"}),
    ("roles", [{"name": 5}]),
    ("roles", ["x"]),
    ("roles", [2**40]),  # past PostgreSQL's INTEGER
])
def test_api_nested_objects_create_nothing(app, known, field, value):
    users = known["users"]
    with app.app_context():
        counts = [db.session.scalar(sa.select(sa.func.count()).select_from(model))
                  for model in (CareProfile, Role, MedicalOrganization)]
    before = stored(app, users["requester1"])
    response = put(app, "moadmin2", users["requester1"], {field: value})
    assert response.status_code == 422, response.get_data(as_text=True)
    russian(response)
    assert stored(app, users["requester1"]) == before
    with app.app_context():
        assert counts == [db.session.scalar(sa.select(sa.func.count()).select_from(model))
                          for model in (CareProfile, Role, MedicalOrganization)]


def test_api_existing_care_profiles_are_accepted(app, known):
    users = known["users"]
    with app.app_context():
        profile = db.session.query(CareProfile).filter_by(name="Кардиология").one().id
    response = put(app, "moadmin2", users["requester1"], {"care_profiles": [profile]})
    assert response.status_code == 200, response.get_data(as_text=True)
    assert put(app, "moadmin2", users["requester1"], {"care_profiles": []}).status_code == 200


@pytest.mark.parametrize("email", ["requester1@demo.tmk.local\r\nBcc: all@demo.tmk.local",
                                   "requester1@demo.tmk.local\n", "not an address", "@demo.tmk.local"])
def test_api_refuses_a_bad_email(app, known, email):
    users = known["users"]
    response = put(app, "moadmin2", users["requester1"], {"email": email})
    assert response.status_code == 422, response.get_data(as_text=True)
    assert russian(response) == "{'email': ['Введите правильный адрес e-mail']}"
    with app.app_context():
        assert db.session.get(TmkUser, users["requester1"]).email == "requester1@demo.tmk.local"


def test_form_stores_no_line_breaks_in_an_email(app, known, client_for):
    users = known["users"]
    client = client_for("moadmin2")
    client.post(f"/users/edit/{users['requester1']}",
                data=edit_form(app, users["requester1"], email="requester1@demo.tmk.local\r\n"))
    client.post(f"/users/edit/{users['requester1']}",
                data=edit_form(app, users["requester1"], email="x@demo.tmk.local\r\nBcc: all@demo.tmk.local"))
    with app.app_context():
        assert db.session.get(TmkUser, users["requester1"]).email == "requester1@demo.tmk.local"


# ---- 12. the «Reset password» action ----

def test_reset_password_action_leads_to_the_form_for_an_own_account(app, known, client_for):
    users = known["users"]
    client = client_for("moadmin2")
    for response in (
        client.post("/users/action_post", data={"action": "resetpasswords", "rowid": str(users["requester1"])}),
        client.post(f"/users/action/resetpasswords/{users['requester1']}"),
    ):
        assert response.status_code == 302, response.get_data(as_text=True)
        assert response.headers["Location"].endswith(f"/resetpassword/form?pk={users['requester1']}")


def test_reset_password_action_refuses_other_accounts(app, known, client_for):
    users = known["users"]
    client = client_for("moadmin2")
    for target in ("consultant1", "regadmin"):
        response = client.post("/users/action_post", data={"action": "resetpasswords", "rowid": str(users[target])})
        assert response.status_code == 404
        assert client.post(f"/users/action/resetpasswords/{users[target]}").status_code == 404
    assert client.post("/users/action_post", data={"action": "resetpasswords", "rowid": "999999"}).status_code == 404
    response = client.post("/users/action_post", data={
        "action": "resetpasswords", "rowid": [str(users["requester1"]), str(users["moadmin2"])]})
    assert response.status_code == 400
