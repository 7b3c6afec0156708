"""Bad input on every form gets a Russian message and changes nothing — never a 500."""
import pytest

from app.extensions import db
from app.models import CareProfile, Department, MedicalOrganization, Route, TmkUser, UrgencyRule
from tests.conftest import visible_text
from tests.test_user_access import _new_user_form, ids, option_values


def _count(app, model):
    with app.app_context():
        return db.session.query(model).count()


def _post_and_expect(app, client, url, data, model, message):
    before = _count(app, model)
    response = client.post(url, data=data)
    assert response.status_code == 200, response.status_code
    assert message in visible_text(response.get_data(as_text=True))
    assert _count(app, model) == before


def _org_form(**changes):
    form = {"name": "ГБУЗ «Новая больница»", "short_name": "Новая", "frmo_oid": "1.2.643.5.1.13.13.12.2.78.5555",
            "address": "ул. Новая, 1", "is_consulting": "y", "allows_drafts": "y", "is_active": "y"}
    form.update(changes)
    return form


@pytest.mark.parametrize("oid", ["1.2.643..5", "abc", "1.2.643.5.1.13.13.12.2.78.9001"])
def test_organization_with_a_wrong_or_taken_oid(app, client_for, oid):
    message = "Уже существует" if oid.endswith("9001") else "Введите OID ФРМО как числа через точку"
    _post_and_expect(app, client_for("regadmin"), "/medicalorganizationview/add",
                     _org_form(frmo_oid=oid), MedicalOrganization, message)


def test_organization_without_a_name(app, client_for):
    _post_and_expect(app, client_for("regadmin"), "/medicalorganizationview/add",
                     _org_form(name=""), MedicalOrganization, "Обязательное поле")


def _route_form(app, org, profile, **changes):
    _, orgs, *_ = ids(app)
    with app.app_context():
        profile_id = db.session.query(CareProfile).filter_by(name=profile).one().id
    form = {"care_profile": str(profile_id), "consulting_organization": str(orgs[org]), "allow_emergency": "y",
            "allow_sync": "y", "assignment": "pool", "is_active": "y"}
    form.update(changes)
    return {k: v for k, v in form.items() if v is not None}


def test_route_to_an_organization_that_does_not_consult(app, client_for):
    _, orgs, *_ = ids(app)
    client = client_for("regadmin")
    offered = option_values(client.get("/routeview/add").get_data(as_text=True), "consulting_organization")
    assert offered == {str(orgs["ГКБ № 1"]), str(orgs["ОКБ"])}
    # a crafted request gets the field's error back
    _post_and_expect(app, client, "/routeview/add",
                     _route_form(app, "ЦРБ Приозёрск", "Урология"), Route, "Обязательное поле")


def test_route_without_urgency_or_mode(app, client_for):
    client = client_for("regadmin")
    _post_and_expect(app, client, "/routeview/add", _route_form(app, "ОКБ", "Урология", allow_emergency=None),
                     Route, "Разрешите хотя бы одну форму оказания")
    _post_and_expect(app, client, "/routeview/add", _route_form(app, "ОКБ", "Урология", allow_sync=None),
                     Route, "Разрешите хотя бы один режим")


def test_second_route_for_the_same_profile_and_organization(app, client_for):
    _post_and_expect(app, client_for("regadmin"), "/routeview/add", _route_form(app, "ОКБ", "Кардиология"),
                     Route, "У этой организации уже есть маршрут по этому профилю")


def test_route_with_unticked_boxes_is_saved(app, client_for):
    client = client_for("regadmin")
    client.post("/routeview/add", data=_route_form(app, "ОКБ", "Урология", allow_emergency=None, allow_urgent="y",
                                               is_active=None))
    with app.app_context():
        route = db.session.query(Route).join(Route.care_profile).filter(CareProfile.name == "Урология").one()
        assert route.allowed_urgencies == ["urgent"] and route.is_active is False


@pytest.mark.parametrize("changes, message", [
    ({"min_minutes": "200", "max_minutes": "100"}, "Максимальный срок не может быть меньше минимального"),
    ({"warning_minutes": "120"}, "Предупреждение должно приходить раньше истечения срока"),
    ({"effective_from": "31.02.2026"}, "Неверное значение даты"),
    ({"max_minutes": "много"}, "Неверное целое число"),
])
def test_urgency_rule_with_bad_numbers(app, client_for, changes, message):
    form = {"urgency": "emergency", "min_minutes": "30", "max_minutes": "120", "warning_minutes": "30",
            "effective_from": "01.09.2025", **changes}
    _post_and_expect(app, client_for("regadmin"), "/urgencyruleview/add", form, UrgencyRule, message)


def test_urgency_rule_for_a_date_that_has_one(app, client_for):
    form = {"urgency": "emergency", "min_minutes": "30", "max_minutes": "120", "warning_minutes": "30",
            "effective_from": "01.01.2018"}
    _post_and_expect(app, client_for("regadmin"), "/urgencyruleview/add", form, UrgencyRule,
                     "Для этой срочности уже есть правило с этой даты")


def test_urgency_rule_is_saved_with_a_russian_date(app, client_for):
    form = {"urgency": "urgent", "min_minutes": "180", "max_minutes": "1440", "warning_minutes": "120",
            "effective_from": "01.09.2030", "legal_basis": "Новый приказ"}
    client_for("regadmin").post("/urgencyruleview/add", data=form)
    with app.app_context():
        rule = db.session.query(UrgencyRule).filter_by(legal_basis="Новый приказ").one()
        assert rule.effective_from.isoformat() == "2030-09-01"


def test_department_name_taken_in_the_same_organization(app, client_for):
    _, orgs, *_ = ids(app)
    _post_and_expect(app, client_for("moadmin1"), "/departmentview/add",
                     {"organization": str(orgs["ГКБ № 1"]), "name": "Кардиологическое отделение"},
                     Department, "В этой организации уже есть отделение с таким названием")


def _user_form(app, login, **changes):
    _, orgs, role_ids, _ = ids(app)
    from app.security import roles

    form = _new_user_form(orgs["ГКБ № 1"], role_ids[roles.CONSULTANT], login)
    form.update(changes)
    return form


def _demo_snils(app, login):
    with app.app_context():
        return db.session.query(TmkUser).filter_by(username=login).one().snils


@pytest.mark.parametrize("changes, message", [
    ({"snils": "112-233-445 96"}, "Неверное контрольное число СНИЛС"),
    ({"snils": "12345"}, "СНИЛС должен содержать 11 цифр"),
    ({"username": "consultant1"}, "Уже существует"),
    ({"password": "short", "conf_password": "short"}, "Пароль должен содержать"),
    ({"conf_password": "Other-2026"}, "Пароли должны совпадать"),
    ({"email": "not-an-address"}, "Введите правильный адрес e-mail"),
    ({"birth_date": "1990-05-01"}, "Неверное значение даты"),
    ({"roles": []}, "Выберите хотя бы одну роль"),
])
def test_user_account_with_bad_input(app, client_for, changes, message):
    _post_and_expect(app, client_for("regadmin"), "/users/add", _user_form(app, "bad_input", **changes),
                     TmkUser, message)


def test_user_account_with_a_taken_snils_in_any_spelling(app, client_for):
    taken = _demo_snils(app, "consultant1")
    spelled = f"{taken[:3]}-{taken[3:6]}-{taken[6:9]} {taken[9:]}"
    _post_and_expect(app, client_for("regadmin"), "/users/add", _user_form(app, "snils_twin", snils=spelled),
                     TmkUser, "Пользователь с таким СНИЛС уже существует")


def test_several_accounts_without_snils_are_fine(app, client_for):
    client = client_for("regadmin")
    for login in ("no_snils_1", "no_snils_2"):
        client.post("/users/add", data=_user_form(app, login, snils=""))
    with app.app_context():
        assert db.session.query(TmkUser).filter(TmkUser.username.in_(("no_snils_1", "no_snils_2"))).count() == 2


def test_profile_edit_rejects_a_colleagues_snils(app, client_for):
    taken = _demo_snils(app, "consultant1")
    response = client_for("consultant2").post("/profile/info", data={
        "last_name": "Петров", "first_name": "Пётр", "middle_name": "Андреевич", "snils": taken, "birth_date": ""})
    assert "Пользователь с таким СНИЛС уже существует" in visible_text(response.get_data(as_text=True))
    assert _demo_snils(app, "consultant2") != taken


def test_profile_edit_saves_russian_date_and_normalised_snils(app, client_for):
    client = client_for("requester2")
    client.post("/profile/info", data={
        "last_name": "Николаева", "first_name": "Мария", "middle_name": "Олеговна",
        "snils": "112-233-445 95", "birth_date": "07.03.1985"})
    with app.app_context():
        user = db.session.query(TmkUser).filter_by(username="requester2").one()
        assert user.snils == "11223344595" and user.birth_date.isoformat() == "1985-03-07"
    assert "112-233-445 95" in client.get("/profile/info").get_data(as_text=True)


def test_profile_contacts_and_notification_switch(app, client_for):
    client = client_for("consultant4")
    page = client.get("/profile/contacts").get_data(as_text=True)
    assert 'name="email"' in page and "consultant4@demo.tmk.local" in page
    assert 'name="email_notifications"' in client.get("/profile/notifications").get_data(as_text=True)
    taken = client.post("/profile/contacts", data={"email": "consultant3@demo.tmk.local"})
    assert "Этот адрес e-mail уже указан у другого пользователя" in visible_text(taken.get_data(as_text=True))
    client.post("/profile/contacts", data={"email": "kozlov@okb.local", "phone": "+7 900 000-00-00"})
    client.post("/profile/notifications", data={"email_events": ["taken"]})  # the e-mail box left unticked
    with app.app_context():
        user = db.session.query(TmkUser).filter_by(username="consultant4").one()
        assert user.email == "kozlov@okb.local" and user.phone == "+7 900 000-00-00"
        assert user.email_notifications is False
        user.email, user.email_notifications, user.email_muted, user.phone = "consultant4@demo.tmk.local", True, "", None
        db.session.commit()
