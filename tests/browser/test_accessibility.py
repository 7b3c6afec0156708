"""Accessibility (issue 13, item 7): every page each role reaches passes axe-core with no serious or critical
violation, and the menu, its dropdowns, the bell and the request's dialogs work from the keyboard.

axe-core is vendored for these tests only (tests/browser/vendor/axe-core/README.md). To check a new page, add
its row to the role's list in PAGES: a URL, a Found(…) for a page whose address the demo data decides, or a
Shown(…) for a page with a menu, a dialog or a filter opened by clicks."""
import re
from pathlib import Path
from typing import NamedTuple, Union

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import sign_in

AXE = Path(__file__).parent / "vendor" / "axe-core" / "axe.min.js"
FAILING = ("serious", "critical")


class Found(NamedTuple):
    """The page the first link matching `selector` on the page `on` leads to."""
    on: Union[str, "Found"]
    selector: str


class Shown(NamedTuple):
    """The page `on` after clicking each of `clicks` in turn (a menu, a dialog, a search filter opened)."""
    on: Union[str, Found]
    clicks: tuple[str, ...]


def edit_form(list_url: str) -> Found:
    return Found(list_url, "a[href*='/edit/']")


def administration(list_url: str, add_url: str) -> list:
    """An administration list, its add form, and the record and edit form of its first row."""
    return [list_url, add_url, Found(list_url, "a[href*='/show/']"), edit_form(list_url)]


def with_filter(list_url: str) -> Shown:
    """FAB's list with «Поиск» open and a filter on its first column added."""
    return Shown(list_url, (".panel-heading a.accordion-toggle", "#filter_form .dropdown-toggle", "#filter_form a.filter"))


SELECTED_REQUEST = Found("/requests/all/", "a.tmk-row-link")  # the tab with the side panel open
REQUEST_PAGE = Found(SELECTED_REQUEST, ".tmk-panel-inner h2 a")
USER_MENU = Shown("/requests/all/", (".tmk-user-menu",))
COMMON = ["/", USER_MENU, "/requests/all/", "/requests/available/", SELECTED_REQUEST, REQUEST_PAGE,
          "/messages/", "/directory/list/",
          Found("/directory/list/", "a[href*='/directory/show/']"), "/documents/", "/notifications/",
          "/profile/info", "/profile/photo", "/profile/access", "/profile/contacts", "/profile/notifications",
          "/video/equipment", "/help/", "/help/?q=подписи", Found("/help/", ".tmk-help-toc a")]
IN_WORK_REQUEST = Found("/requests/in_work/", "a.tmk-row-link")  # «В работе» with its first request's panel
IN_WORK = ["/requests/in_work/"]
# a request's dialogs (e.g. «Отказать»; «Передать» chooses a doctor) and the conclusion's pages
DIALOG = [Shown(Found("/requests/available/", "a.tmk-row-link"), (".tmk-panel [data-toggle=modal]",)),
          Shown(IN_WORK_REQUEST, (".tmk-panel [data-action=transfer]",))]
CONCLUSION = [IN_WORK_REQUEST, Found(IN_WORK_REQUEST, ".tmk-panel a[data-action=conclude]"),
              Found(IN_WORK_REQUEST, ".tmk-panel a[data-action=upload_scan]")]
SIGNING = [Found(IN_WORK_REQUEST, ".tmk-panel a[data-action=sign]")]  # consultant3's request is ready to sign
OWN = ["/requests/outgoing/", "/requests/drafts/"]
CHAT = [Found("/messages/", "a.list-group-item")]  # a request's chat, for those who take part in one
WIZARD_PROFILE = Found("/requests/new/", "a[href*='/requests/new/profile/']")
WIZARD = ["/requests/new/", WIZARD_PROFILE, Found(WIZARD_PROFILE, "a[href*='/requests/new/route/']"),
          Found(Found("/requests/drafts/", "a.tmk-row-link"), ".tmk-panel a[href$='/edit']")]  # a draft's form
MO_ADMINISTRATION = ([Shown("/requests/all/", (".navbar-nav .dropdown-toggle",)), with_filter("/users/list/")]
                     + administration("/users/list/", "/users/add")
                     + administration("/departmentview/list/", "/departmentview/add")
                     + ["/patient-mismatches/list/", "/undelivered-mail/list/"])
REGION_ADMINISTRATION = (MO_ADMINISTRATION
                         + administration("/medicalorganizationview/list/", "/medicalorganizationview/add")
                         + administration("/careprofileview/list/", "/careprofileview/add")
                         + administration("/routeview/list/", "/routeview/add")
                         + administration("/urgencyruleview/list/", "/urgencyruleview/add")
                         + administration("/help-articles/list/", "/help-articles/add"))
# a new request in «Доступные»: its chat, read before the take
READ_ONLY_CHAT = [Found(Found("/requests/available/", "a.tmk-row-link"), ".tmk-panel-inner h2 a")]
# every page each role reaches from the menu (tests/browser/test_navigation.py MENU), README «Demo logins»
PAGES = {
    "requester1": COMMON + OWN + WIZARD + CHAT,
    "consultant1": COMMON + IN_WORK + DIALOG + CONCLUSION + CHAT + READ_ONLY_CHAT,
    "consultant3": SIGNING,
    "coordinator1": COMMON,
    "moadmin1": COMMON + MO_ADMINISTRATION,
    "regadmin": COMMON + IN_WORK + OWN + REGION_ADMINISTRATION,
}


def resolve(page, url: str, entry) -> str:
    if isinstance(entry, str):
        return entry
    if isinstance(entry, Shown):
        return resolve(page, url, entry.on)
    page.goto(url + resolve(page, url, entry.on))
    link = page.locator(entry.selector).first
    expect(link).to_be_attached()
    return link.get_attribute("href")


def violations(page) -> list[str]:
    """axe-core's serious and critical findings on the page as it is now, one line per element."""
    page.add_script_tag(path=str(AXE))
    found = page.evaluate("""async () => {
        const result = await axe.run(document, {resultTypes: ['violations']});
        return result.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
            nodes: v.nodes.map(n => n.target.join(' ') + (n.failureSummary ? ' — ' + n.failureSummary : ''))}));
    }""")
    return [f"{v['id']} ({v['impact']}: {v['help']}) at {node}"
            for v in found if v["impact"] in FAILING for node in v["nodes"]]


def check(page, url: str, entries: list) -> list[str]:
    problems = []
    for entry in entries:
        path = resolve(page, url, entry)
        response = page.goto(url + path)
        assert response.status == 200, path
        page.wait_for_load_state("networkidle")
        for selector in entry.clicks if isinstance(entry, Shown) else ():
            page.locator(selector).first.click()
            page.wait_for_timeout(400)  # Bootstrap's fade and collapse
            path += f" → {selector}"
        problems += [f"{path}: {line}" for line in violations(page)]
    return problems


def _axe_page(browser, width: int, height: int):
    """A page that lets axe in: the portal's Content-Security-Policy refuses an injected script."""
    context = browser.new_context(locale="ru-RU", viewport={"width": width, "height": height}, bypass_csp=True)
    tab = context.new_page()
    errors = []
    tab.on("pageerror", lambda error: errors.append(str(error)))
    tab.on("console", lambda message: message.type == "error" and errors.append(message.text))
    tab.js_errors = errors
    return context, tab


@pytest.fixture()
def wide(browser):
    context, tab = _axe_page(browser, 1366, 768)
    yield tab
    context.close()


@pytest.fixture()
def phone(browser):
    context, tab = _axe_page(browser, 390, 844)
    yield tab
    context.close()


def test_the_login_page_passes_axe(portal, wide):
    url, _ = portal
    problems = check(wide, url, ["/login/"])
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("login", list(PAGES))
def test_every_page_of_the_role_passes_axe(portal, wide, login):
    url, _ = portal
    sign_in(wide, url, login)
    wide.wait_for_url(url + "/")
    problems = check(wide, url, PAGES[login])
    assert not problems, "\n".join(problems)
    assert wide.js_errors == []


# on a 390 px phone: the request cards, the folded menu opened with its administration dropdown, a FAB list
PHONE_PAGES = ["/requests/all/", SELECTED_REQUEST,
               Shown("/requests/all/", (".navbar-toggle", ".navbar-nav .dropdown-toggle")), "/users/list/", "/users/add"]


def test_the_phone_layout_passes_axe(portal, phone):
    url, _ = portal
    sign_in(phone, url, "regadmin")
    phone.wait_for_url(url + "/")
    problems = check(phone, url, PHONE_PAGES)
    assert not problems, "\n".join(problems)
    assert phone.js_errors == []


def _focused(page) -> str:
    return page.evaluate("document.activeElement.textContent.trim()")


def test_the_menu_and_its_dropdowns_work_from_the_keyboard(portal, wide):
    url, _ = portal
    sign_in(wide, url, "regadmin")
    wide.wait_for_url(url + "/")
    wide.goto(url + "/requests/all/")
    wide.keyboard.press("Tab")  # the skip link, then the brand
    expect(wide.locator(":focus")).to_have_text("Перейти к содержимому")
    wide.keyboard.press("Tab")
    for _ in range(12):
        wide.keyboard.press("Tab")
        if _focused(wide) == "Администрирование":
            break
    else:
        pytest.fail("«Администрирование» is not reachable by Tab")
    toggle = wide.locator(".navbar-nav").first.locator(".dropdown-toggle")
    wide.keyboard.press("Enter")
    expect(toggle).to_have_attribute("aria-expanded", "true")
    wide.keyboard.press("ArrowDown")  # Bootstrap moves the focus into the open menu
    assert _focused(wide) == "Учётные записи"
    wide.keyboard.press("ArrowDown")
    assert _focused(wide) == "Медицинские организации"
    wide.keyboard.press("Escape")  # closes it and gives the focus back to the toggle
    expect(toggle).to_have_attribute("aria-expanded", "false")
    assert _focused(wide) == "Администрирование"
    wide.keyboard.press("Enter")
    wide.keyboard.press("ArrowDown")
    wide.keyboard.press("ArrowDown")
    wide.keyboard.press("Enter")
    wide.wait_for_url(url + "/medicalorganizationview/list/")

    # the bell: a link reached by Tab, named for a screen reader
    bell = wide.locator("#tmk-bell")
    bell.focus()
    expect(bell).to_have_accessible_name(re.compile("^Уведомления"))
    wide.keyboard.press("Enter")
    wide.wait_for_url(url + "/notifications/")
    # the user's menu opens from the keyboard too
    user_menu = wide.locator(".tmk-user-menu")
    user_menu.focus()
    wide.keyboard.press("Enter")
    expect(user_menu).to_have_attribute("aria-expanded", "true")
    wide.keyboard.press("ArrowDown")
    assert _focused(wide) == "Профиль"

    # «Перейти к содержимому» skips the menu: the next Tab is in the page's content
    wide.goto(url + "/requests/all/")
    wide.keyboard.press("Tab")
    wide.keyboard.press("Enter")
    assert wide.evaluate("document.activeElement.id") == "tmk-content"
    wide.keyboard.press("Tab")
    assert wide.evaluate("document.activeElement.closest('main') !== null")


def test_a_request_dialog_takes_the_focus_and_gives_it_back(portal, wide):
    url, _ = portal
    sign_in(wide, url, "consultant1")
    wide.wait_for_url(url + "/")
    wide.goto(url + "/requests/available/")
    wide.locator("a.tmk-row-link").first.click()
    opener = wide.locator(".tmk-panel [data-toggle=modal]").first
    expect(opener).to_be_visible()
    opener.focus()
    wide.keyboard.press("Enter")
    dialog = wide.locator(".modal.in")
    expect(dialog).to_be_visible()
    expect(dialog).to_have_attribute("role", "dialog")
    label = dialog.get_attribute("aria-labelledby")
    assert label and wide.locator(f"#{label}").count() == 1
    # the focus is inside the dialog (its first field), and Tab keeps it there
    wide.wait_for_function("document.querySelector('.modal.in').contains(document.activeElement)")
    for _ in range(8):
        wide.keyboard.press("Tab")
        assert wide.evaluate("document.querySelector('.modal.in').contains(document.activeElement)")
    wide.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    wide.wait_for_function("document.activeElement === document.querySelector('.tmk-panel [data-toggle=modal]')")
