"""Two people chat about a request beside it; the text stays text; a stranger has no chat."""
import re

from playwright.sync_api import expect

from tests.browser.conftest import screenshot, sign_in


def open_request_chat(page, url, login, number):
    sign_in(page, url, login)
    page.wait_for_url(url + "/")
    page.goto(url + "/requests/all/?q=" + number)
    page.get_by_role("link", name=number).click()
    page.locator("#tmk-panel").get_by_role("link", name="Открыть страницу заявки").click()
    page.get_by_role("button", name="Показать/скрыть чат по заявке").click()
    expect(page.locator("#tmk-chat")).to_be_visible()


def outgoing_request_number(page, url):
    """The number of one of requester1's requests still new (signs in and out again)."""
    sign_in(page, url, "requester1")
    page.wait_for_url(url + "/")
    page.goto(url + "/requests/outgoing/")
    number = page.locator("tr.tmk-row", has_text="Новая").first.locator("a").first.inner_text()
    page.goto(url + "/logout/")
    return number


def test_two_people_chat_about_a_request(portal, browser):
    url, _ = portal
    author = browser.new_context(locale="ru-RU").new_page()
    admin = browser.new_context(locale="ru-RU").new_page()
    number = outgoing_request_number(author, url)
    open_request_chat(author, url, "requester1", number)
    chat = author.locator("#tmk-chat")
    expect(chat.locator(".tmk-kind-system").first).to_have_text(re.compile("Заявка отправлена"))
    chat.locator("textarea").fill('Добрый день! <img src=x onerror="document.title=\'взлом\'">')
    chat.get_by_role("button", name="Отправить").click()
    expect(chat.locator(".tmk-msg-mine")).to_contain_text("<img src=x")

    open_request_chat(admin, url, "moadmin2", number)
    expect(admin.locator("#tmk-chat .tmk-msg-text", has_text="Добрый день!")).to_be_visible()
    admin.locator("#tmk-chat textarea").fill("Согласуем сегодня.")
    admin.locator("#tmk-chat").get_by_role("button", name="Отправить").click()
    # the author sees the answer without reloading
    expect(chat.locator(".tmk-msg-text", has_text="Согласуем сегодня.")).to_be_visible(timeout=10000)
    assert author.title() != "взлом" and admin.title() != "взлом"
    assert author.locator("#tmk-chat .tmk-msg-text img").count() == 0  # (the authors' photos are the only images)
    screenshot(author, "request-chat")


def test_a_stranger_has_no_chat(portal, page):
    url, _ = portal
    sign_in(page, url, "regadmin")
    page.wait_for_url(url + "/")
    page.goto(url + "/requests/all/")
    page.locator("tr.tmk-row").first.locator("a").first.click()
    page.locator("#tmk-panel").get_by_role("link", name="Открыть страницу заявки").click()
    expect(page.locator("h1")).to_contain_text("Заявка")
    assert page.get_by_role("button", name="Показать/скрыть чат по заявке").count() == 0


def test_messages_typed_while_the_last_is_on_its_way_are_all_sent(portal, browser):
    """The box is emptied when a message is stored, unless the doctor has typed the next one meanwhile:
    a quick series of questions arrives whole, in order."""
    url, _ = portal
    author = browser.new_context(locale="ru-RU").new_page()
    number = outgoing_request_number(author, url)
    open_request_chat(author, url, "requester1", number)
    chat = author.locator("#tmk-chat")
    questions = [f"Уточнение {i}: доза, кратность, длительность" for i in range(6)]
    for question in questions:
        chat.locator("textarea").fill(question)
        chat.get_by_role("button", name="Отправить").click()
    for question in questions:
        expect(chat.locator(".tmk-msg-mine .tmk-msg-text", has_text=question)).to_have_count(1, timeout=10000)
    shown = chat.locator(".tmk-msg-mine .tmk-msg-text").all_inner_texts()
    assert [text for text in shown if text.startswith("Уточнение")] == questions
    expect(chat.locator("textarea")).to_have_value("")
