"""Navigation that fits (issue 13, item 4): at 1366 px the main menu is one row for every role and keeps every
entry the role had before (administration folded into one dropdown); on a 390 px phone and a 1024 px tablet it
folds behind the toggle and the request list is never wider than the screen."""
import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import screenshot, sign_in

TABS = [("Сообщения", "/messages/"), ("Заявки", "/requests/all/"), ("Доступные", "/requests/available/")]
IN_WORK = [("В работе", "/requests/in_work/")]
OWN = [("Исходящие", "/requests/outgoing/"), ("Черновики", "/requests/drafts/")]
EVERYONE_ELSE = [("Пользователи", "/directory/list/"), ("Документы", "/documents/")]
MO_ADMINISTRATION = [("Учётные записи", "/users/list/"), ("Отделения", "/departmentview/list/"),
                     ("Расхождения данных пациентов", "/patient-mismatches/list/"),
                     ("Недоставленные письма", "/undelivered-mail/list/")]
# each role's entries as the menu showed them before the change (collected from main), in the manual's order
MENU = {
    "regadmin": TABS + IN_WORK + OWN + EVERYONE_ELSE,
    "moadmin1": TABS + EVERYONE_ELSE,
    "coordinator1": TABS + EVERYONE_ELSE,
    "consultant1": TABS + IN_WORK + EVERYONE_ELSE,
    "requester1": TABS + OWN + EVERYONE_ELSE,
}
ADMINISTRATION = {
    "regadmin": [("Учётные записи", "/users/list/"), ("Медицинские организации", "/medicalorganizationview/list/"),
                 ("Отделения", "/departmentview/list/"), ("Профили медицинской помощи", "/careprofileview/list/"),
                 ("Маршруты", "/routeview/list/"), ("Правила срочности", "/urgencyruleview/list/"),
                 ("Расхождения данных пациентов", "/patient-mismatches/list/"),
                 ("Недоставленные письма", "/undelivered-mail/list/"),
                 ("Вопросы и ответы", "/help-articles/list/")],
    "moadmin1": MO_ADMINISTRATION,
}
ONE_ROW = 60  # px: Bootstrap's navbar is 50 px tall on one row, 100 on two


def _entries(links) -> list[tuple[str, str]]:
    return [(" ".join(text.split()), href) for text, href in
            links.evaluate_all("els => els.map(a => [a.textContent, a.getAttribute('href')])")]


def _check_menu(page, url: str, login: str) -> None:
    """Every entry the role had is visible (administration's after opening its dropdown) and opens."""
    menu = page.locator(".navbar-nav").first
    top = menu.locator(":scope > li > a:not(.dropdown-toggle)")
    assert _entries(top) == MENU[login]
    for link in top.all():
        expect(link).to_be_visible()
    administration = menu.locator(":scope > li.dropdown")
    if login in ADMINISTRATION:
        administration.locator(".dropdown-toggle").click()
        expect(administration).to_have_class(re.compile(r"(^|\s)open(\s|$)"))
        expect(administration.locator(".dropdown-toggle")).to_have_text("Администрирование")
        children = administration.locator(".dropdown-menu a")
        assert _entries(children) == ADMINISTRATION[login]
        for link in children.all():
            expect(link).to_be_visible()
        administration.locator(".dropdown-toggle").click()  # closed again
    else:
        assert administration.count() == 0
    for _, href in MENU[login] + ADMINISTRATION.get(login, []):
        assert page.request.get(url + href).status == 200, href


def _check_user_menu(page) -> None:
    right = page.locator(".navbar-right")
    right.locator(".tmk-user-menu").click()
    expect(right.get_by_role("link", name="Профиль")).to_be_visible()
    expect(right.get_by_role("link", name="Выход")).to_be_visible()
    expect(right.get_by_role("button", name="Выйти на всех устройствах")).to_be_visible()


@pytest.mark.parametrize("login", list(MENU))
def test_the_menu_is_one_row_at_1366(portal, page, login):
    url, _ = portal
    page.set_viewport_size({"width": 1366, "height": 768})
    sign_in(page, url, login)
    page.wait_for_url(url + "/")
    page.goto(url + "/requests/all/")
    assert page.locator(".navbar").bounding_box()["height"] <= ONE_ROW
    expect(page.locator(".navbar-toggle")).to_be_hidden()
    page.keyboard.press("Tab")  # «Перейти к содержимому», the brand, then the first entry: FAB's menu had
    page.keyboard.press("Tab")  # them out of the Tab order
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent.trim()") == "Сообщения"
    _check_menu(page, url, login)
    active = page.locator(".navbar-nav > li.active > a")
    expect(active).to_have_text("Заявки")
    expect(active).to_have_attribute("aria-current", "page")

    # the bell and the user's menu at the top right
    right = page.locator(".navbar-right")
    expect(right.locator("#tmk-bell")).to_be_visible()
    assert right.bounding_box()["x"] + right.bounding_box()["width"] > 1366 - 40
    _check_user_menu(page)
    screenshot(page, f"navigation-{login}-1366")
    assert page.js_errors == []


@pytest.mark.parametrize("login", list(MENU))
@pytest.mark.parametrize("device, width, height", [("phone", 390, 844), ("tablet", 1024, 768)])
def test_on_a_phone_or_tablet_the_menu_folds_and_the_list_fits(portal, page, login, device, width, height):
    url, _ = portal
    page.set_viewport_size({"width": width, "height": height})
    sign_in(page, url, login)
    page.wait_for_url(url + "/")
    page.goto(url + "/requests/all/")
    # the list: not wider than the screen; a wide table scrolls inside its own box
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    table = page.locator(".table-responsive").first
    if table.count():
        box = table.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= width
    screenshot(page, f"requests-{login}-{width}")

    assert page.locator(".navbar").bounding_box()["height"] <= ONE_ROW
    menu = page.locator(".navbar-nav").first
    expect(menu.get_by_role("link", name="Заявки")).to_be_hidden()
    toggle = page.locator(".navbar-toggle")
    expect(toggle).to_have_attribute("aria-label", "Главное меню")
    toggle.click()
    expect(toggle).to_have_attribute("aria-expanded", "true")
    # Bootstrap's collapse has finished sliding open (a dropdown clicked while it slides may not open)
    expect(page.locator(".navbar-collapse").first).to_have_class(re.compile(r"(^|\s)in(\s|$)"))
    expect(menu.get_by_role("link", name="Заявки")).to_be_visible()
    _check_menu(page, url, login)
    expect(page.locator("#tmk-bell")).to_contain_text("Уведомления", use_inner_text=True)
    _check_user_menu(page)
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    screenshot(page, f"navigation-{login}-{width}")
    assert page.js_errors == []
