"""Roles, the first administrator and the demo region: each set-up step can run again safely."""
from app.security.first_admin import ensure_first_admin
from app.demo import load_demo
from app.extensions import db
from app.models import CareProfile, MedicalOrganization, Route, TmkUser
from app.security import roles
from app.security.roles import sync_roles


def _permissions(app, role_name):
    role = app.appbuilder.sm.find_role(role_name)
    return {(pv.permission.name, pv.view_menu.name) for pv in role.permissions}


def test_sync_roles_is_idempotent(app):
    with app.app_context():
        first = sync_roles(app.appbuilder)
        snapshot = {name: _permissions(app, name) for name in first}
        second = sync_roles(app.appbuilder)
        assert first == second
        assert snapshot == {name: _permissions(app, name) for name in second}


def test_role_permissions_match_what_each_role_does(app):
    with app.app_context():
        mo_admin = _permissions(app, roles.MO_ADMIN)
        assert ("can_add", "TmkUserModelView") in mo_admin
        assert ("can_this_form_post", "TmkResetPasswordView") in mo_admin
        assert ("can_add", "DepartmentView") in mo_admin
        assert not any(view == "MedicalOrganizationView" for _, view in mo_admin)
        assert not any(view == "RouteView" for _, view in mo_admin)
        for doctor in (roles.CONSULTANT, roles.REQUESTER, roles.COORDINATOR):
            granted = _permissions(app, doctor)
            assert ("can_list", "UserDirectoryView") in granted
            assert ("can_userinfo", "TmkUserModelView") in granted
            assert {("can_read", "Profile"), ("can_edit", "Profile")} <= granted
            assert ("can_list", "TmkUserModelView") not in granted
            assert ("can_add", "DepartmentView") not in granted
        regional = _permissions(app, roles.REGIONAL_ADMIN)
        assert {("can_add", "RouteView"), ("can_edit", "UrgencyRuleView"), ("can_delete", "TmkUserModelView")} <= regional
        assert _permissions(app, roles.PUBLIC) == set()


def test_demo_region_loads_once(app):
    with app.app_context():
        counts = (db.session.query(TmkUser).count(), db.session.query(MedicalOrganization).count())
        assert load_demo() is False
        assert counts == (db.session.query(TmkUser).count(), db.session.query(MedicalOrganization).count())


def test_demo_region_has_what_the_issue_asks(app):
    with app.app_context():
        orgs = db.session.query(MedicalOrganization).all()
        assert len(orgs) >= 4 and sum(o.is_consulting for o in orgs) >= 2
        assert db.session.query(CareProfile).count() >= 15
        users = {u.username: u for u in db.session.query(TmkUser)}
        for login in ("regadmin", "moadmin1", "coordinator1", "consultant1", "consultant2", "consultant3",
                      "requester1", "requester2"):
            assert login in users
        c1, c2, c3 = users["consultant1"], users["consultant2"], users["consultant3"]
        assert c1.organization_id == c2.organization_id != c3.organization_id
        assert all("Кардиология" in {p.name for p in c.care_profiles} for c in (c1, c2, c3))
        assert users["requester1"].organization_id != users["requester2"].organization_id
        cardiology = db.session.query(Route).join(Route.care_profile).filter(CareProfile.name == "Кардиология").all()
        assert {r.consulting_organization_id for r in cardiology} == {c1.organization_id, c3.organization_id}
        assert all(r.assignment == "pool" and not r.requires_approval for r in cardiology)
        all_routes = db.session.query(Route).all()
        assert any(r.assignment == "coordinator" for r in all_routes)
        assert any(r.requires_approval for r in all_routes)
        role_names = {role.name for u in users.values() for role in u.roles}
        assert set(roles.ROLE_CODES.values()) <= role_names


def test_first_admin_is_made_once_from_the_environment(tmp_root):
    from tests.conftest import make_app, prepare_database
    from tests.databases import fresh_database

    app = make_app(fresh_database("sqlite", tmp_root), TMK_ADMIN_USER="chief", TMK_ADMIN_PASSWORD="Chief-2026x")
    prepare_database(app, demo=False)
    with app.app_context():
        assert ensure_first_admin() == ("chief", None)  # a given password is never echoed
        assert ensure_first_admin() is None
        admin = db.session.query(TmkUser).filter_by(username="chief").one()
        assert admin.has_role(roles.REGIONAL_ADMIN)
    assert app.test_client().post("/login/", data={"username": "chief", "password": "Chief-2026x"}).status_code == 302


def test_first_admin_gets_a_generated_password(tmp_root):
    from tests.conftest import make_app, prepare_database
    from tests.databases import fresh_database

    app = make_app(fresh_database("sqlite", tmp_root), TMK_ADMIN_USER="", TMK_ADMIN_PASSWORD="")
    prepare_database(app, demo=False)
    with app.app_context():
        login, password = ensure_first_admin()
    assert login == "admin" and len(password) >= 12
    assert app.test_client().post("/login/", data={"username": login, "password": password}).status_code == 302
