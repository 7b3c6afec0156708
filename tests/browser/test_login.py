"""A new user's first minute: the Russian login page, the demo administrator's menu, logout."""
import re

from playwright.sync_api import expect

from tests.browser.conftest import screenshot, sign_in


def test_run_py_prints_the_address_and_the_demo_logins(portal):
    url, log = portal
    output = log.read_text()
    assert f"Портал ТМК: {url}/" in output
    for login in ("regadmin", "moadmin1", "coordinator1", "consultant1", "consultant2", "consultant3",
                  "requester1", "requester2"):
        assert login in output
    assert "Demo-2026!" in output


def test_login_menu_logout(portal, page):
    url, _ = portal
    page.goto(url + "/")
    assert page.url.endswith("/login/")
    assert page.title() == "Войти — ТМК"
    assert page.get_by_text("Введите логин и пароль").is_visible()
    screenshot(page, "login")

    page.fill("#username", "regadmin")
    page.fill("#password", "Demo-2026!")
    page.get_by_role("button", name="Войти").click()
    page.wait_for_url(url + "/")
    expect(page.get_by_role("heading", name=re.compile("Здравствуйте, Елена Викторовна"))).to_be_visible()
    menu = page.locator(".navbar-nav").first
    assert menu.get_by_text("Пользователи").is_visible()
    menu.get_by_text("Администрирование").click()
    for entry in ("Учётные записи", "Медицинские организации", "Отделения", "Профили медицинской помощи",
                  "Маршруты", "Правила срочности"):
        expect(menu.get_by_role("link", name=entry)).to_be_visible()
    screenshot(page, "home-regional-admin")

    menu.get_by_role("link", name="Маршруты").click()
    page.wait_for_url(re.compile(r"/routeview/list/"))
    expect(page.locator("table").get_by_text("Кардиология").first).to_be_visible()
    screenshot(page, "routes")

    page.locator(".navbar-right").get_by_text("Елена Соколова").click()
    page.get_by_role("link", name="Выход").click()
    page.wait_for_url(re.compile(r"/login/"))
    page.goto(url + "/users/list/")
    assert "/login/" in page.url
    assert page.js_errors == []


def test_wrong_password_is_explained(portal, page):
    url, _ = portal
    sign_in(page, url, "regadmin", "not-the-password")
    expect(page.get_by_text("Неверный логин или пароль")).to_be_visible()


def test_doctor_sees_only_the_tabs_of_the_manual(portal, page):
    url, _ = portal
    sign_in(page, url, "consultant1")
    page.wait_for_url(url + "/")
    menu = page.locator(".navbar-nav").first
    assert menu.get_by_text("Пользователи").is_visible()
    assert menu.get_by_text("Администрирование").count() == 0
    menu.get_by_text("Пользователи").click()
    page.wait_for_url(re.compile(r"/directory/list/"))
    expect(page.get_by_text("Иванов Иван Иванович")).to_be_visible()
    screenshot(page, "directory-consultant")
