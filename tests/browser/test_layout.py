"""The layout defects of issue 13 (items 4 and 5) at 1366×768 and on a 390 px phone: «Создана» never slides under
the pinned «Осталось» with the side panel open; on a phone the bell stays beside the toggle, the request list
turns into cards and FAB's administration lists scroll inside their box without cutting anything off."""
import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import screenshot, sign_in

PHONE = {"width": 390, "height": 844}


@pytest.mark.parametrize("login", ["regadmin", "requester1"])
def test_with_the_side_panel_open_no_column_slides_under_time_left(portal, page, login):
    url, _ = portal
    page.set_viewport_size({"width": 1366, "height": 768})
    sign_in(page, url, login)
    page.wait_for_url(url + "/")
    page.goto(url + "/requests/all/")
    page.locator("a.tmk-row-link").first.click()
    expect(page.locator(".tmk-panel h2")).to_be_visible()
    layout = page.evaluate("""() => {
        const box = document.querySelector('.table-responsive');
        const pinned = document.querySelector('.tmk-request-table th[data-column=time-left]').getBoundingClientRect();
        const cells = [...document.querySelectorAll('.tmk-request-table th:not([data-column]), .tmk-request-table td:not([data-column])')];
        return {scroll: box.scrollWidth, client: box.clientWidth, pinnedLeft: pinned.left,
                under: cells.filter(c => c.getBoundingClientRect().right > pinned.left + 0.5).map(c => c.textContent.trim()),
                clipped: cells.filter(c => c.scrollWidth > c.clientWidth).map(c => c.textContent.trim())};
    }""")
    assert layout["scroll"] <= layout["client"], layout  # the table fits its box: nothing to scroll
    assert layout["under"] == [] and layout["clipped"] == [], layout
    expect(page.locator(".tmk-request-table th", has_text="Создана")).to_be_visible()
    screenshot(page, f"layout-panel-{login}-1366")
    assert page.js_errors == []


def test_on_a_phone_the_bell_stays_beside_the_toggle(portal, page):
    url, _ = portal
    page.set_viewport_size(PHONE)
    sign_in(page, url, "consultant1")
    page.wait_for_url(url + "/")
    toggle = page.locator(".navbar-toggle")
    bell = page.locator(".navbar-header .tmk-bell-compact")
    expect(toggle).to_have_attribute("aria-expanded", "false")  # the menu is folded
    expect(bell).to_be_visible()
    expect(bell).to_have_accessible_name(re.compile("^Уведомления"))
    bell_box, toggle_box = bell.bounding_box(), toggle.bounding_box()
    assert bell_box["x"] + bell_box["width"] <= toggle_box["x"] + 1  # to the toggle's left, on its row
    assert abs((bell_box["y"] + bell_box["height"] / 2) - (toggle_box["y"] + toggle_box["height"] / 2)) < 8
    screenshot(page, "layout-bell-390")
    bell.click()
    page.wait_for_url(url + "/notifications/")
    page.set_viewport_size({"width": 1366, "height": 768})
    expect(bell).to_be_hidden()  # on a wide screen the bar's own bell, at the top right
    expect(page.locator("#tmk-bell")).to_be_visible()


def test_on_a_phone_requests_are_cards(portal, page):
    url, _ = portal
    page.set_viewport_size(PHONE)
    sign_in(page, url, "regadmin")
    page.wait_for_url(url + "/")
    page.goto(url + "/requests/all/")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    cards = page.evaluate("""() => [...document.querySelectorAll('.tmk-request-table tr.tmk-row')].map(row => {
        const r = row.getBoundingClientRect();
        return {left: r.left, right: r.right, display: getComputedStyle(row).display,
                labels: [...row.cells].map(td => getComputedStyle(td, '::before').content),
                clipped: [...row.cells].filter(td => td.scrollWidth > td.clientWidth + 1).length};
    })""")
    assert len(cards) > 1
    for card in cards:
        assert card["display"] == "block" and card["left"] >= 0 and card["right"] <= PHONE["width"], card
        assert card["labels"] == ['"Номер"', '"Пациент"', '"Профиль медицинской помощи"', '"Консультирующая МО"',
                                  '"Срочность"', '"Статус"', '"Создана"', '"Осталось"'], card
        assert card["clipped"] == 0, card
    expect(page.locator(".tmk-panel")).to_be_hidden()  # the empty side panel waits for a choice
    screenshot(page, "layout-requests-cards-390")

    page.locator("a.tmk-row-link").nth(2).click()  # the chosen request's panel, below the list, comes into view
    panel_title = page.locator(".tmk-panel h2")
    expect(panel_title).to_be_in_viewport()
    assert page.js_errors == []


@pytest.mark.parametrize("list_url", ["/users/list/", "/routeview/list/", "/medicalorganizationview/list/"])
def test_on_a_phone_administration_lists_scroll_in_their_box(portal, page, list_url):
    url, _ = portal
    page.set_viewport_size(PHONE)
    sign_in(page, url, "regadmin")
    page.wait_for_url(url + "/")
    page.goto(url + list_url)
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    box = page.locator("div.table-responsive")  # (FAB gives its hidden search table the class too)
    inside = box.bounding_box()
    assert inside["x"] >= 0 and inside["x"] + inside["width"] <= PHONE["width"]
    screenshot(page, "layout-admin" + list_url.replace("/", "-").rstrip("-") + "-390")
    # scrolled to its end, the box shows the last column whole: nothing is cut off for good
    last = page.evaluate("""() => {
        const box = document.querySelector('div.table-responsive');
        box.scrollLeft = box.scrollWidth;
        const th = [...box.querySelectorAll('thead th')].pop().getBoundingClientRect();
        const r = box.getBoundingClientRect();
        return {overflow: getComputedStyle(box).overflowX, inside: th.right <= r.right + 0.5 && th.left >= r.left - 0.5};
    }""")
    assert last == {"overflow": "auto", "inside": True}
    screenshot(page, "layout-admin" + list_url.replace("/", "-").rstrip("-") + "-390-scrolled")
