"""Calls that ring (issue 14) between two real browsers: the author presses «Позвонить консультанту» in the
request's chat, the consultant, on another page of the portal, gets the incoming call's window at once with
the caller, the request's number and the patient's initials; «Отклонить», «Принять» and no answer at all
show on the caller's side, and a missed call stays in the chat. The portal's calls ring 12 s here
(tests/browser/conftest.py)."""
import json
import re
import urllib.request

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import new_request, screenshot, sign_in
from tests.browser.test_accessibility import violations

CALLER = "Васильев А. М."  # requester1
PATIENT = "Б. Т. Т."  # Браузеров Тест Тестович, conftest.new_request's patient


def _api(url, username, path, body=None):
    """As that demo user, through the API: a GET without a body, a POST with one."""
    def send(address, data=None, headers=None):
        request = urllib.request.Request(url + address, None if data is None else json.dumps(data).encode(),
                                         {"Content-Type": "application/json", **(headers or {})})
        with urllib.request.urlopen(request) as answer:
            return json.load(answer)

    token = send("/api/v1/security/login", {"username": username, "password": "Demo-2026!", "provider": "db"})
    return send(path, body, {"Authorization": f"Bearer {token['access_token']}"})


@pytest.fixture()
def taken(portal):
    """A request of requester1 taken into work by consultant1: (its id, its number)."""
    url, _ = portal
    request_id = new_request(url)
    _api(url, "consultant1", f"/api/v1/requests/{request_id}/take", {})
    return request_id, _api(url, "requester1", f"/api/v1/requests/{request_id}")["result"]["number"]


@pytest.fixture()
def two(browser, portal):
    """The author and the consultant in two browsers of their own; the consultant's lets axe-core in (the
    portal's Content-Security-Policy refuses an injected script), the author's runs under the policy."""
    url, _ = portal
    pages = []
    for login in ("requester1", "consultant1"):
        page = browser.new_context(locale="ru-RU", viewport={"width": 1280, "height": 800},
                                   bypass_csp=login == "consultant1").new_page()
        errors = []
        page.on("pageerror", lambda error, errors=errors: errors.append(str(error)))
        page.js_errors = errors
        sign_in(page, url, login)
        page.wait_for_url(url + "/")
        pages.append(page)
    yield pages
    for page in pages:
        page.context.close()


def _call_the_consultant(author, consultant, url, request_id, shot=None):
    consultant.goto(url + "/requests/available/")
    # the consultant's page is connected before the call: wait for its socket (evaluate, as the CSP
    # forbids the eval of wait_for_function)
    for _ in range(100):
        if consultant.evaluate("() => Boolean(window.tmkNotifications && window.tmkNotifications.connected)"):
            break
        consultant.wait_for_timeout(100)
    author.goto(f"{url}/requests/{request_id}")
    author.get_by_role("button", name="Показать/скрыть чат по заявке").click()
    expect(author.locator("#tmk-chat").get_by_role("button", name="Позвонить всем участникам")).to_be_visible()
    if shot:
        screenshot(author, shot)
    author.locator("#tmk-chat").get_by_role("button", name="Позвонить консультанту").click()
    author.wait_for_url(f"{url}/requests/{request_id}/video")


def test_a_call_rings_on_another_page_and_a_decline_shows_to_the_caller(portal, two, taken):
    url, _ = portal
    author, consultant = two
    request_id, number = taken
    _call_the_consultant(author, consultant, url, request_id, shot="video-call-buttons")
    window = consultant.get_by_role("alertdialog", name="Входящий видеовызов")
    expect(window).to_be_visible(timeout=10000)
    expect(window).to_contain_text(f"{CALLER} звонит вам")
    expect(window.locator(".tmk-call-number")).to_have_text(number)
    expect(window.locator(".tmk-call-patient")).to_have_text(PATIENT)
    expect(window).not_to_contain_text("Браузеров")
    expect(window.get_by_role("button", name="Принять")).to_be_focused()
    progress = author.locator(".tmk-call-progress").last  # (an earlier test's call may be shown above it)
    expect(progress).to_contain_text(number)
    expect(progress.locator(".tmk-callee-state")).to_have_text("Вызов…")
    screenshot(consultant, "video-call-incoming")
    assert violations(consultant) == []
    window.get_by_role("button", name="Отклонить").click()
    expect(window).to_have_count(0)
    expect(progress.locator(".tmk-callee-state")).to_have_text("Отклонил", timeout=10000)
    screenshot(author, "video-call-progress-declined")
    assert author.js_errors == [] and consultant.js_errors == []


def test_accepting_opens_the_room(portal, two, taken):
    url, _ = portal
    author, consultant = two
    request_id, _number = taken
    _call_the_consultant(author, consultant, url, request_id)
    window = consultant.get_by_role("alertdialog", name="Входящий видеовызов")
    expect(window).to_be_visible(timeout=10000)
    window.get_by_role("button", name="Принять").click()
    consultant.wait_for_url(f"{url}/requests/{request_id}/video")
    expect(author.locator(".tmk-call-progress").last.locator(".tmk-callee-state")).to_have_text("Принял", timeout=10000)


def test_a_call_nobody_answers_is_missed_and_stays_in_the_chat(portal, two, taken):
    url, _ = portal
    author, consultant = two
    request_id, _number = taken
    _call_the_consultant(author, consultant, url, request_id)
    window = consultant.get_by_role("alertdialog", name="Входящий видеовызов")
    expect(window).to_be_visible(timeout=10000)
    # nobody answers: after 12 s the server settles the call, the window closes, the caller sees it
    expect(author.locator(".tmk-call-progress").last.locator(".tmk-callee-state")).to_have_text("Не ответил", timeout=30000)
    expect(window).to_have_count(0, timeout=10000)
    consultant.goto(f"{url}/requests/{request_id}")
    consultant.get_by_role("button", name="Показать/скрыть чат по заявке").click()
    expect(consultant.locator("#tmk-chat .tmk-kind-system", has_text="Пропущенный видеовызов")).to_have_text(
        re.compile(f"Пропущенный видеовызов от {CALLER}; без ответа: "), timeout=10000)
    screenshot(consultant, "video-call-missed-in-chat")


def test_escape_declines_from_the_keyboard(portal, two, taken):
    url, _ = portal
    author, consultant = two
    request_id, _number = taken
    _call_the_consultant(author, consultant, url, request_id)
    window = consultant.get_by_role("alertdialog", name="Входящий видеовызов")
    expect(window.get_by_role("button", name="Принять")).to_be_focused(timeout=10000)
    consultant.keyboard.press("Escape")
    expect(window).to_have_count(0)
    expect(author.locator(".tmk-call-progress").last.locator(".tmk-callee-state")).to_have_text("Отклонил",
                                                                                                 timeout=10000)
