"""«Главная» in the browser (issue 13, items 3 and 6): each role's desk at 1366×768 and on a 390 px phone —
cards that fit the screen, emergencies in the manual's red and first, every request one click away, and a
focus ring a keyboard user sees."""
import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import new_request, screenshot, sign_in

SIZES = {"1366": {"width": 1366, "height": 768}, "390": {"width": 390, "height": 844}}
EMERGENCY_RED = "rgb(180, 35, 24)"  # --tmk-emergency


@pytest.fixture(params=list(SIZES))
def sized_page(request, browser):
    context = browser.new_context(locale="ru-RU", viewport=SIZES[request.param])
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.js_errors = errors
    page.width = request.param
    yield page
    context.close()


def _open_desk(page, url, login):
    sign_in(page, url, login)
    page.wait_for_url(url + "/")
    expect(page.get_by_role("heading", name=re.compile("^Здравствуйте"))).to_be_visible()


def _fits(page):
    """Nothing wider than the screen: no sideways scrolling of the page."""
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


@pytest.mark.parametrize("login, cards, tabs", [
    ("requester1", ["Требуют действий", "Непрочитанные чаты"], ["Заявки", "Доступные", "Исходящие", "Черновики"]),
    ("consultant1", ["Требуют действий", "Непрочитанные чаты"], ["Заявки", "Доступные", "В работе"]),
    ("coordinator1", ["Требуют действий", "Нераспределённые заявки МО", "Просроченные заявки МО", "Непрочитанные чаты"],
     ["Заявки", "Доступные"]),
])
def test_each_role_sees_its_desk(portal, sized_page, login, cards, tabs):
    url, _ = portal
    page = sized_page
    _open_desk(page, url, login)
    for card in cards:
        expect(page.get_by_role("heading", name=re.compile(card))).to_be_visible()
    counts = page.locator(".tmk-desk-counts .tmk-count-label")
    expect(counts).to_have_text(tabs)
    _fits(page)
    screenshot(page, f"home-{login}-{page.width}")
    assert page.js_errors == []


def test_emergency_is_red_first_and_one_click_from_its_request(portal, sized_page):
    url, _ = portal
    page = sized_page
    new_request(url, urgency="emergency")  # of its own: another test may have taken the demo's
    _open_desk(page, url, "consultant1")
    first = page.locator("[data-card=action] .tmk-desk-item").first
    expect(first).to_have_class(re.compile("tmk-desk-emergency"))
    expect(first.locator(".tmk-desk-link")).to_have_css("border-left-color", EMERGENCY_RED)
    expect(first.locator(".tmk-badge-emergency")).to_have_text("Экстренная")
    expect(first.locator(".tmk-status .fas")).to_have_count(1)  # the status has its icon
    expect(first.locator(".tmk-clock")).to_have_text(re.compile(r"Осталось: (\d+ ч )?\d+ мин"))
    number = first.locator(".tmk-desk-number").inner_text()
    first.locator(".tmk-desk-link").click()
    page.wait_for_url(re.compile(r"/requests/\d+$"))
    expect(page.locator("h1")).to_contain_text(number)


def test_the_keyboard_focus_is_visible(portal, page):
    url, _ = portal
    _open_desk(page, url, "consultant1")
    link = page.locator("[data-card=action] .tmk-desk-link").first
    link.focus()
    expect(link).to_have_css("outline-style", "solid")
    expect(link).to_have_css("outline-color", "rgb(13, 110, 253)")  # --tmk-focus
    tile = page.locator(".tmk-count-tile").first
    tile.focus()
    expect(tile).to_have_css("outline-style", "solid")


def test_administration_views_share_the_tokens(portal, page):
    """FAB's generated list is restyled by the same sheet: its panel is a card, its table dense."""
    url, _ = portal
    _open_desk(page, url, "regadmin")
    page.get_by_role("heading", name="Администрирование").scroll_into_view_if_needed()
    page.locator("[data-card=admin]").get_by_role("link", name="Маршруты").click()
    page.wait_for_url(re.compile(r"/routeview/list/"))
    assert page.evaluate("getComputedStyle(document.documentElement).getPropertyValue('--tmk-emergency').trim()") \
        == "#b42318"
    expect(page.locator(".panel").first).to_have_css("border-top-left-radius", "8px")  # --tmk-radius-lg
    expect(page.locator("table.table th").first).to_have_css("background-color", "rgb(246, 247, 249)")
    expect(page.locator("table.table td").first).to_have_css("padding-top", "4px")  # --tmk-cell-pad-y
    screenshot(page, "admin-routes-tokens")
