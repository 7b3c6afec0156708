"""How the pages look where issue 13 (item 5) found defects: select2 in Russian, «Осталось» never cut off,
the wizard's current step, FAB's form controls in the portal's style."""
import re

from playwright.sync_api import expect

from tests.browser.conftest import screenshot, sign_in
from tests.browser.test_administration import choose


def test_select2_speaks_russian(portal, page):
    url, _ = portal
    sign_in(page, url, "regadmin")
    page.wait_for_url(url + "/")
    page.goto(url + "/users/add")
    choose(page, "roles", "Врач-консультант")
    clear = page.locator("#roles + .select2-container .select2-selection__clear")
    expect(clear).to_have_attribute("title", "Удалить все элементы")  # «Remove all items» before
    page.locator("#roles + .select2-container .select2-search__field").fill("нет такой роли")
    expect(page.locator(".select2-container--open .select2-results__message")).to_have_text("Совпадений не найдено")
    assert not page.js_errors


def test_time_left_is_never_cut_off(portal, browser):
    url, _ = portal
    context = browser.new_context(locale="ru-RU", viewport={"width": 1366, "height": 768})
    page = context.new_page()
    sign_in(page, url, "regadmin")
    page.wait_for_url(url + "/")
    page.goto(url + "/requests/all/")
    page.locator(".tmk-request-table tbody tr").first.locator("a.tmk-row-link").click()  # the panel takes its room
    expect(page.locator(".tmk-panel h2")).to_be_visible()
    expect(page.locator("td[data-column=time-left]", has_text=re.compile(r"\d+ д \d+ ч \d+ мин")).first).to_be_visible()
    cells = page.evaluate("""() => {
        const box = document.querySelector('.table-responsive').getBoundingClientRect();
        return [...document.querySelectorAll('.tmk-request-table [data-column=time-left]')].map(cell => {
            const r = cell.getBoundingClientRect();
            return {text: cell.textContent, scroll: cell.scrollWidth, client: cell.clientWidth,
                    inside: r.left >= box.left - 0.5 && r.right <= box.right + 0.5};
        });
    }""")
    assert len(cells) > 1
    for cell in cells:
        assert cell["scroll"] <= cell["client"] and cell["inside"], cell
    screenshot(page, "requests-time-left-1366")
    context.close()


def test_the_wizard_highlights_its_current_step(portal, page):
    url, _ = portal
    sign_in(page, url, "requester1")
    page.wait_for_url(url + "/")
    page.goto(url + "/requests/new/")
    current = page.locator(".tmk-steps li[aria-current=step]")
    expect(current).to_have_text(re.compile(r"^1\."))
    expect(current).to_have_css("color", "rgb(255, 255, 255)")
    expect(current).to_have_css("background-color", "rgb(51, 122, 183)")
    expect(page.locator(".tmk-steps li").nth(1)).to_have_css("color", "rgb(102, 102, 102)")  # ahead: greyed (4.5:1, css/a11y.css)
    page.get_by_role("link", name="Кардиология").click()
    expect(page.locator(".tmk-steps li[aria-current=step]")).to_have_text(re.compile(r"^2\."))
    expect(page.locator(".tmk-steps li[aria-current=step]")).to_have_css("background-color", "rgb(51, 122, 183)")


def test_administration_forms_have_styled_controls(portal, page):
    url, _ = portal
    sign_in(page, url, "regadmin")
    page.wait_for_url(url + "/")
    page.goto(url + "/routeview/add")
    plain_select = page.locator("select#assignment")  # FAB renders it without .form-control
    expect(plain_select).to_have_css("height", "34px")
    expect(plain_select).to_have_css("border-top-left-radius", "4px")
    expect(page.locator("input#is_active")).to_have_css("width", "18px")
    screenshot(page, "admin-route-form")
