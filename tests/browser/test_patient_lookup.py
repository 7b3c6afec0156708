"""«Найти пациента» on the new-request form fills in a patient of the requester's own requests and finds
nothing of another МО's; a consultant reads the chat of a request in his «Доступные», read-only."""
import re

from playwright.sync_api import expect

from tests.browser.conftest import screenshot, sign_in

# the demo's patients (app/demo/requests.py): Смирнов is requester1's, Кузьмина only РБ Лесной's
OWN_SNILS = "112-233-445 95"
OTHER_MO_POLICY = "7700000000000022"


def open_new_request_form(page, url):
    page.goto(url + "/requests/new/")
    page.get_by_role("link", name="Кардиология", exact=True).click()
    page.locator("a.list-group-item", has_text="Городская клиническая больница № 1").click()
    expect(page.locator("h1")).to_have_text("Новая заявка")


def test_the_requester_finds_his_patient_and_not_another_mos(portal, page):
    url, _ = portal
    sign_in(page, url, "requester1")
    page.wait_for_url(url + "/")
    open_new_request_form(page, url)
    page.fill("#patient_snils", OWN_SNILS)
    page.get_by_role("button", name="Найти пациента").click()
    status = page.locator(".tmk-patient-lookup-status")
    expect(status).to_have_text("Пациент найден: поля заполнены, проверьте их")
    expect(page.locator("#patient_last_name")).to_have_value("Смирнов")
    expect(page.locator("#patient_first_name")).to_have_value("Алексей")
    expect(page.locator("#patient_middle_name")).to_have_value("Викторович")
    expect(page.locator("#patient_birth_date")).to_have_value("14.03.1958")
    expect(page.locator("#patient_sex")).to_have_value("male")
    expect(page.locator("#patient_oms_policy")).to_have_value("7700000000000011")
    page.locator("fieldset", has_text="Пациент").first.scroll_into_view_if_needed()
    screenshot(page, "patient-lookup-found")

    open_new_request_form(page, url)
    page.fill("#patient_oms_policy", OTHER_MO_POLICY)
    page.get_by_role("button", name="Найти пациента").click()
    expect(status).to_have_text("Пациент не найден")
    expect(page.locator("#patient_last_name")).to_have_value("")
    page.fill("#patient_oms_policy", "12345")
    page.get_by_role("button", name="Найти пациента").click()
    expect(status).to_have_text("Номер полиса ОМС состоит из 16 цифр")
    screenshot(page, "patient-lookup-not-found")
    # the browser logs the 404 and the 422 themselves as failed loads: no other error
    assert [e for e in page.js_errors if not e.startswith("Failed to load resource")] == []


def submit_request_for_own_patient(page, url) -> str:
    """requester1 fills the form through «Найти пациента», submits it and writes in its chat; the number."""
    open_new_request_form(page, url)
    page.fill("#patient_snils", OWN_SNILS)
    page.get_by_role("button", name="Найти пациента").click()
    expect(page.locator("#patient_last_name")).to_have_value("Смирнов")
    page.get_by_label("Неотложная").check()
    page.get_by_label("Отложенный").check()
    page.select_option("#goal", index=1)
    page.fill("#question", "Нужна ли коррекция терапии?")
    page.fill("#anamnesis", "Одышка при нагрузке.")
    page.fill("#diagnosis_code", "I50.0")
    page.fill("#diagnosis_text", "Застойная сердечная недостаточность")
    page.get_by_label("Пациент дал информированное добровольное согласие").check()
    page.get_by_role("button", name="Отправить заявку").click()
    expect(page.locator("h1")).to_contain_text("Новая")
    page.get_by_role("button", name="Показать/скрыть чат по заявке").click()
    page.locator("#tmk-chat textarea").fill("ЭКГ пришлю через час")
    page.locator("#tmk-chat").get_by_role("button", name="Отправить").click()
    expect(page.locator("#tmk-chat .tmk-msg-mine")).to_contain_text("ЭКГ пришлю через час")
    return re.search(r"ТМК-\d{4}-\d{6}", page.locator("h1").inner_text()).group(0)


def open_from_available(page, url, login, number):
    sign_in(page, url, login)
    page.wait_for_url(url + "/")
    page.goto(url + "/requests/available/?q=" + number)
    page.get_by_role("link", name=number).click()
    page.locator("#tmk-panel").get_by_role("link", name="Открыть страницу заявки").click()


def test_a_consultant_reads_the_chat_of_an_available_request_until_a_colleague_takes_it(portal, browser):
    url, _ = portal
    author, reader, taker = (browser.new_context(locale="ru-RU", viewport={"width": 1280, "height": 800}).new_page()
                             for _ in range(3))
    errors = []
    reader.on("pageerror", lambda error: errors.append(str(error)))
    sign_in(author, url, "requester1")
    author.wait_for_url(url + "/")
    number = submit_request_for_own_patient(author, url)

    open_from_available(reader, url, "consultant2", number)
    reader.get_by_role("button", name="Показать/скрыть чат по заявке").click()
    chat = reader.locator("#tmk-chat")
    expect(chat.locator(".tmk-msg-text", has_text="ЭКГ пришлю через час")).to_be_visible()
    expect(chat.locator(".tmk-chat-read-only")).to_have_text(
        re.compile("Чат доступен для записи после взятия заявки в работу"))
    assert chat.locator("textarea").count() == 0
    assert chat.get_by_role("button", name="Отправить").count() == 0
    expect(reader.get_by_role("button", name="Взять в работу")).to_be_visible()
    # what the author writes now reaches the reader without a reload
    author.locator("#tmk-chat textarea").fill("Пациент стабилен")
    author.locator("#tmk-chat").get_by_role("button", name="Отправить").click()
    expect(chat.locator(".tmk-msg-text", has_text="Пациент стабилен")).to_be_visible(timeout=10000)
    screenshot(reader, "chat-read-only-before-take")

    # a colleague takes it: the reader sees the take, then that the chat is no longer his
    open_from_available(taker, url, "consultant1", number)
    taker.get_by_role("button", name="Взять в работу").click()
    expect(taker.locator("h1")).to_contain_text("В работе")
    expect(chat.locator(".tmk-kind-system", has_text="взята в работу")).to_be_visible(timeout=10000)
    expect(chat.locator(".tmk-chat-status")).to_have_text(
        "Чат вам больше недоступен: заявка изменилась. Обновите страницу.", timeout=10000)
    author.locator("#tmk-chat textarea").fill("Спасибо, что взяли")
    author.locator("#tmk-chat").get_by_role("button", name="Отправить").click()
    expect(author.locator("#tmk-chat .tmk-msg-mine", has_text="Спасибо, что взяли")).to_be_visible()
    reader.wait_for_timeout(1500)
    assert chat.locator(".tmk-msg-text", has_text="Спасибо, что взяли").count() == 0
    screenshot(reader, "chat-read-only-after-a-colleague-took-it")
    assert errors == []
