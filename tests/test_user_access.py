"""An МО administrator sees and manages only his МО's users, in every way in; the regional one all."""
import re

import pytest
from flask_appbuilder.security.sqla.models import Role

from app.extensions import db
from app.models import Department, MedicalOrganization, TmkUser
from app.security import roles
from tests.conftest import api_token


def ids(app):
    with app.app_context():
        users = {u.username: u.id for u in db.session.query(TmkUser)}
        orgs = {o.short_name: o.id for o in db.session.query(MedicalOrganization)}
        role_ids = {r.name: r.id for r in db.session.query(Role)}
        departments = {(d.organization.short_name, d.name): d.id for d in db.session.query(Department)}
    return users, orgs, role_ids, departments


def option_values(html: str, field: str) -> set[str]:
    select = re.search(rf'<select[^>]*name="{field}"[^>]*>(.*?)</select>', html, re.S)
    assert select, f"no select {field}"
    return {v for v in re.findall(r'<option[^>]*value="([^"]*)"', select.group(1)) if v != "__None"}


def test_mo_admin_lists_only_own_organization(app, client_for):
    users, *_ = ids(app)
    html = client_for("moadmin1").get("/users/list/").get_data(as_text=True)
    for own in ("moadmin1", "coordinator1", "consultant1", "consultant2"):
        assert own in html
    for foreign in ("consultant3", "requester1", "requester2", "moadmin2", "regadmin"):
        assert foreign not in html


def test_regional_admin_lists_everybody(app, client_for):
    html = client_for("regadmin").get("/users/list/?psize_TmkUserModelView=100").get_data(as_text=True)
    for login in ("moadmin1", "moadmin2", "consultant3", "requester2", "regadmin"):
        assert login in html


@pytest.mark.parametrize("path", ["/users/show/{id}", "/users/edit/{id}", "/resetpassword/form?pk={id}"])
@pytest.mark.parametrize("target", ["consultant3", "requester1", "regadmin"])
def test_mo_admin_cannot_open_foreign_accounts(app, client_for, path, target):
    users, *_ = ids(app)
    response = client_for("moadmin1").get(path.format(id=users[target]))
    assert response.status_code == 404


def test_mo_admin_cannot_delete_or_reset_foreign_accounts(app, client_for):
    users, *_ = ids(app)
    client = client_for("moadmin1")
    client.post(f"/users/delete/{users['requester1']}")
    response = client.post(f"/resetpassword/form?pk={users['requester1']}",
                           data={"password": "Hacked-2026", "conf_password": "Hacked-2026"})
    assert response.status_code == 404
    with app.app_context():
        assert db.session.get(TmkUser, users["requester1"]) is not None
    # the account still logs in with its own password
    assert app.test_client().post("/login/", data={"username": "requester1", "password": "Demo-2026!"}).status_code == 302


def test_mo_admin_choices_are_limited(app, client_for):
    users, orgs, role_ids, departments = ids(app)
    html = client_for("moadmin1").get("/users/add").get_data(as_text=True)
    assert option_values(html, "organization") == {str(orgs["ГКБ № 1"])}
    assert option_values(html, "department") == {
        str(i) for (org, _), i in departments.items() if org == "ГКБ № 1"
    }
    offered_roles = option_values(html, "roles")
    assert str(role_ids[roles.REGIONAL_ADMIN]) not in offered_roles
    assert str(role_ids[roles.PUBLIC]) not in offered_roles
    assert str(role_ids[roles.CONSULTANT]) in offered_roles


def _new_user_form(org_id, role_id, login, snils="", department_id=None):
    form = {
        "last_name": "Тестов", "first_name": "Тест", "middle_name": "Тестович", "username": login,
        "email": f"{login}@example.test", "password": "Strong-2026", "conf_password": "Strong-2026",
        "organization": str(org_id), "roles": [str(role_id)], "active": "y", "email_notifications": "y",
        "snils": snils,
    }
    if department_id:
        form["department"] = str(department_id)
    return form


def _exists(app, login):
    with app.app_context():
        return db.session.query(TmkUser).filter_by(username=login).first() is not None


def test_mo_admin_creates_a_user_of_own_organization(app, client_for):
    _, orgs, role_ids, _ = ids(app)
    client_for("moadmin1").post("/users/add", data=_new_user_form(orgs["ГКБ № 1"], role_ids[roles.CONSULTANT], "own_doctor"))
    assert _exists(app, "own_doctor")


def test_mo_admin_cannot_create_foreign_or_regional_accounts(app, client_for):
    _, orgs, role_ids, departments = ids(app)
    client = client_for("moadmin1")
    client.post("/users/add", data=_new_user_form(orgs["ОКБ"], role_ids[roles.CONSULTANT], "foreign_doctor"))
    client.post("/users/add", data=_new_user_form(orgs["ГКБ № 1"], role_ids[roles.REGIONAL_ADMIN], "sneaky_admin"))
    foreign_department = departments[("ОКБ", "Онкологическое отделение")]
    client.post("/users/add", data=_new_user_form(orgs["ГКБ № 1"], role_ids[roles.CONSULTANT], "wrong_dep",
                                                  department_id=foreign_department))
    for login in ("foreign_doctor", "sneaky_admin", "wrong_dep"):
        assert not _exists(app, login)


def test_mo_admin_cannot_promote_an_own_user_to_regional_admin(app, client_for):
    users, orgs, role_ids, _ = ids(app)
    client = client_for("moadmin1")
    response = client.post(f"/users/edit/{users['consultant1']}", data={
        "last_name": "Иванов", "first_name": "Иван", "username": "consultant1", "email": "consultant1@demo.tmk.local",
        "organization": str(orgs["ГКБ № 1"]), "roles": [str(role_ids[roles.REGIONAL_ADMIN])], "active": "y",
    })
    assert response.status_code == 200  # the form comes back with the error
    with app.app_context():
        assert not db.session.get(TmkUser, users["consultant1"]).has_role(roles.REGIONAL_ADMIN)


def test_doctor_has_no_account_management(app, client_for):
    client = client_for("consultant1")
    assert client.get("/users/list/").status_code in (302, 403)
    assert client.get("/api/v1/users/").status_code in (401, 403)
    assert client.get("/directory/list/").status_code == 200


# ---- the same rules through the REST API ----

def test_api_list_and_get_follow_the_rules(app):
    users, *_ = ids(app)
    headers = api_token(app, "moadmin1")
    client = app.test_client()
    listed = {row["username"] for row in client.get("/api/v1/users/?q=(page_size:100)", headers=headers).json["result"]}
    assert {"moadmin1", "consultant1"} <= listed
    assert not listed & {"consultant3", "requester1", "regadmin"}
    assert client.get(f"/api/v1/users/{users['consultant3']}", headers=headers).status_code == 404
    assert client.get(f"/api/v1/users/{users['consultant1']}", headers=headers).status_code == 200


def test_api_write_follows_the_rules(app):
    users, orgs, role_ids, _ = ids(app)
    headers = api_token(app, "moadmin1")
    client = app.test_client()
    assert client.put(f"/api/v1/users/{users['requester2']}", json={"position": "x"}, headers=headers).status_code == 404
    assert client.delete(f"/api/v1/users/{users['requester2']}", headers=headers).status_code == 404
    body = {"last_name": "Апи", "first_name": "Тест", "username": "api_regional", "email": "api_regional@example.test",
            "password": "Strong-2026", "organization": orgs["ГКБ № 1"], "roles": [role_ids[roles.REGIONAL_ADMIN]]}
    response = client.post("/api/v1/users/", json=body, headers=headers)
    assert response.status_code == 422
    assert response.json["message"] == "Эту роль может назначить только региональный администратор"
    body.update(username="api_foreign", email="api_foreign@example.test", organization=orgs["ОКБ"],
                roles=[role_ids[roles.CONSULTANT]])
    response = client.post("/api/v1/users/", json=body, headers=headers)
    assert response.status_code == 422, response.get_data(as_text=True)
    body.update(username="api_own", email="api_own@example.test", organization=orgs["ГКБ № 1"])
    response = client.post("/api/v1/users/", json=body, headers=headers)
    assert response.status_code == 201, response.get_data(as_text=True)
    assert not _exists(app, "api_regional") and not _exists(app, "api_foreign") and _exists(app, "api_own")
    with app.app_context():
        stored = db.session.query(TmkUser).filter_by(username="api_own").one()
        assert stored.password != "Strong-2026"  # hashed


def test_api_schema_errors_are_russian(app):
    _, orgs, role_ids, _ = ids(app)
    headers = api_token(app, "moadmin1")
    body = {"last_name": "Апи", "first_name": "Тест", "username": "x" * 300, "email": "schema@example.test",
            "password": "Strong-2026", "organization": orgs["ГКБ № 1"], "roles": [role_ids[roles.CONSULTANT]]}
    response = app.test_client().post("/api/v1/users/", json=body, headers=headers)
    assert response.status_code == 422
    assert response.json["message"] == {"username": ["Не более 128 символов"]}


def test_api_rejects_a_weak_password_and_a_wrong_snils_in_russian(app):
    _, orgs, role_ids, _ = ids(app)
    headers = api_token(app, "moadmin1")
    body = {"last_name": "Апи", "first_name": "Тест", "username": "api_weak", "email": "api_weak@example.test",
            "password": "short", "organization": orgs["ГКБ № 1"], "roles": [role_ids[roles.CONSULTANT]]}
    response = app.test_client().post("/api/v1/users/", json=body, headers=headers)
    assert response.status_code == 422 and "Пароль должен содержать" in response.json["message"]
    body.update(password="Strong-2026", snils="11223344596")
    response = app.test_client().post("/api/v1/users/", json=body, headers=headers)
    assert response.status_code == 422 and "СНИЛС" in response.json["message"]
    assert not _exists(app, "api_weak")
