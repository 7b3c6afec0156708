"""Administration clicked through as people do it, with CSRF on: an МО administrator adds a
department and a doctor; the regional administrator adds an organisation and a route."""
import re
import uuid

from playwright.sync_api import expect

from tests.browser.conftest import screenshot, sign_in


def choose(page, field_id, option_text):
    """Pick an option in one of FAB's select2 (4.x) boxes, as a person does: open it, click the line."""
    page.locator(f"#{field_id} + .select2-container .select2-selection").click()
    page.locator(".select2-container--open .select2-results__option", has_text=option_text).first.click()


def test_mo_admin_adds_a_department_and_a_doctor(portal, page):
    url, _ = portal
    sign_in(page, url, "moadmin1")
    page.wait_for_url(url + "/")
    department = f"Отделение функциональной диагностики {uuid.uuid4().hex[:4]}"
    page.goto(url + "/departmentview/add")
    choose(page, "organization", "ГКБ № 1")
    page.fill("#name", department)
    page.get_by_role("button", name="Сохранить").click()
    expect(page.get_by_text("Запись добавлена")).to_be_visible()
    expect(page.get_by_text(department)).to_be_visible()

    login = f"doctor{uuid.uuid4().hex[:6]}"
    page.goto(url + "/users/add")
    page.fill("#last_name", "Фёдорова")
    page.fill("#first_name", "Галина")
    page.fill("#middle_name", "Петровна")
    page.fill("#snils", "112-233-445 96")  # wrong check number first
    page.fill("#birth_date", "12.04.1979")
    page.fill("#username", login)
    page.fill("#password", "Doctor-2026")
    page.fill("#conf_password", "Doctor-2026")
    choose(page, "organization", "ГКБ № 1")
    choose(page, "department", department)
    page.fill("#position", "Врач функциональной диагностики")
    choose(page, "roles", "Врач-консультант")
    page.fill("#email", f"{login}@gkb1.local")
    page.get_by_role("button", name="Сохранить").click()
    expect(page.get_by_text("Неверное контрольное число СНИЛС")).to_be_visible()
    screenshot(page, "user-add-wrong-snils")
    # the form kept what was typed; fix the one field and the passwords
    assert page.input_value("#last_name") == "Фёдорова"
    page.fill("#snils", "112-233-445 95")
    page.fill("#password", "Doctor-2026")
    page.fill("#conf_password", "Doctor-2026")
    page.get_by_role("button", name="Сохранить").click()
    expect(page.get_by_text("Запись добавлена")).to_be_visible()
    row = page.locator("tr", has_text=login)
    expect(row).to_contain_text("Фёдорова")
    expect(row).to_contain_text("Врач-консультант")
    screenshot(page, "users-mo-admin")

    # the new doctor can sign in and sees his profile
    page.get_by_text("Дмитрий Орлов").click()
    page.get_by_role("link", name="Выход").click()
    sign_in(page, url, login, "Doctor-2026")
    expect(page.get_by_role("heading", name=re.compile("Здравствуйте, Галина Петровна"))).to_be_visible()
    page.goto(url + "/users/userinfo/")  # the user menu's «Профиль»: the profile's «Информация»
    expect(page.get_by_label("СНИЛС")).to_have_value("112-233-445 95")
    expect(page.get_by_label("Дата рождения")).to_have_value("12.04.1979")
    assert page.js_errors == []


def test_regional_admin_adds_an_organization_and_a_route(portal, page):
    url, _ = portal
    sign_in(page, url, "regadmin")
    page.wait_for_url(url + "/")
    suffix = uuid.uuid4().hex[:4]
    page.goto(url + "/medicalorganizationview/add")
    page.fill("#name", f"ГБУЗ «Детская областная больница {suffix}»")
    page.fill("#short_name", f"ДОБ {suffix}")
    page.fill("#frmo_oid", "1.2.643.5.1.13.13.12.2.78.abc")
    page.check("#is_consulting")
    page.get_by_role("button", name="Сохранить").click()
    expect(page.get_by_text("Введите OID ФРМО как числа через точку")).to_be_visible()
    page.fill("#frmo_oid", f"1.2.643.5.1.13.13.12.2.78.{int(suffix, 16)}")
    page.get_by_role("button", name="Сохранить").click()
    expect(page.get_by_text("Запись добавлена")).to_be_visible()

    page.goto(url + "/routeview/add")
    choose(page, "care_profile", "Неонатология")
    choose(page, "consulting_organization", f"ДОБ {suffix}")
    page.uncheck("#allow_emergency")
    page.uncheck("#allow_urgent")
    page.uncheck("#allow_planned")
    page.get_by_role("button", name="Сохранить").click()
    expect(page.get_by_text("Разрешите хотя бы одну форму оказания")).to_be_visible()
    page.check("#allow_urgent")
    page.select_option("#assignment", label="Через координатора")
    page.check("#requires_approval")
    page.get_by_role("button", name="Сохранить").click()
    expect(page.get_by_text("Запись добавлена")).to_be_visible()
    row = page.locator("tr", has_text=f"ДОБ {suffix}")
    expect(row).to_contain_text("Неонатология")
    expect(row).to_contain_text("Неотложная")
    expect(row).to_contain_text("Через координатора")
    screenshot(page, "routes-after-add")
    assert page.js_errors == []
