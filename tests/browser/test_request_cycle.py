"""The whole cycle in the browser, each step by the person who does it: draft → approval → new →
take → request info → provide → transfer → take → refuse; and a cancellation."""
import re
import uuid

from playwright.sync_api import expect

from tests.browser.conftest import screenshot, sign_in


def switch_user(page, url, login):
    page.goto(url + "/logout/")
    sign_in(page, url, login)
    page.wait_for_url(url + "/")


def act(page, button, text=None, doctor=None):
    """Press an action on the request page and fill its dialog, as the manual describes."""
    page.locator(".tmk-request-page .tmk-actions").get_by_role("button", name=button).first.click()
    if text is None and doctor is None:
        return
    dialog = page.locator(".modal.in")
    expect(dialog).to_be_visible()
    if doctor:
        dialog.locator("select[name=consultant_id]").select_option(label=doctor)
    if text is not None:
        dialog.locator("textarea[name=comment]").fill(text)
    dialog.locator(".modal-footer button[type=submit]").click()


def status_is(page, status):
    expect(page.locator("h1 .tmk-status")).to_have_text(status)


def test_request_cycle(portal, page):
    url, _ = portal
    surname = f"Браузеров{uuid.uuid4().hex[:4]}"

    # the requesting doctor fills the wizard and keeps a draft
    switch_user(page, url, "requester1")
    page.goto(url + "/requests/drafts/")
    page.get_by_role("link", name="Новая заявка").click()
    expect(page.get_by_role("heading", name="Выбор профиля консультации")).to_be_visible()
    page.get_by_role("link", name="Онкология").click()
    page.get_by_role("link", name=re.compile("Областная клиническая больница")).click()
    page.get_by_label("Плановая").check()
    page.get_by_label("Отложенный").check()
    page.select_option("#goal", label="Интерпретация результатов исследований")
    page.fill("#question", "Интерпретация КТ органов грудной клетки?")
    page.fill("#patient_oms_policy", f"{uuid.uuid4().int % 10**16:016d}")
    page.fill("#patient_last_name", surname)
    page.fill("#patient_first_name", "Михаил")
    page.fill("#patient_birth_date", "01.02.1961")
    page.select_option("#patient_sex", label="Мужской")
    page.get_by_role("button", name="Сохранить черновик").click()
    expect(page.get_by_text(re.compile(r"Черновик ТМК-\d{4}-\d{6} сохранён"))).to_be_visible()
    number = re.search(r"ТМК-\d{4}-\d{6}", page.locator("h1").inner_text()).group(0)
    request_url = page.url
    screenshot(page, "draft-page")

    # … completes it and submits: the route needs approval by his МО
    page.get_by_role("link", name="Изменить черновик").click()
    page.fill("#anamnesis", "Кашель, похудание на 6 кг за 3 месяца.")
    page.fill("#diagnosis_code", "C34.1")
    page.fill("#diagnosis_text", "Новообразование верхней доли лёгкого")
    page.get_by_label("Пациент дал информированное добровольное согласие").check()
    page.get_by_role("button", name="Отправить заявку").click()
    status_is(page, "На согласовании")

    # the administrator of the requesting МО approves it, from «Доступные», beside the list
    switch_user(page, url, "moadmin2")
    page.goto(url + "/requests/available/")
    page.locator("tr", has_text=number).click()
    panel = page.locator("#tmk-panel")
    expect(panel).to_contain_text(number)
    expect(page.locator("tr.tmk-selected")).to_contain_text(number)
    screenshot(page, "available-with-panel")
    panel.get_by_role("button", name="Согласовать").click()
    page.locator(".modal.in .modal-footer button[type=submit]").click()
    expect(page.get_by_text(f"{number}: Согласована")).to_be_visible()

    # a consultant of the consulting МО takes it and asks for more
    switch_user(page, url, "consultant3")
    page.goto(request_url)
    status_is(page, "Новая")
    act(page, "Взять в работу")
    status_is(page, "В работе")
    act(page, "Запросить доп. информацию", text="")
    expect(page.locator(".modal.in textarea:invalid")).to_have_count(1)  # the comment is required
    page.locator(".modal.in textarea").fill("Пришлите заключение КТ с описанием.")
    page.locator(".modal.in .modal-footer button[type=submit]").click()
    status_is(page, "Ожидает информацию")

    # the author answers
    switch_user(page, url, "requester1")
    page.goto(request_url)
    act(page, "Предоставить информацию", text="Описание КТ: узел 2,5 см в S1 правого лёгкого.")
    status_is(page, "В работе")

    # the consultant hands it to a colleague, who takes it and refuses
    switch_user(page, url, "consultant3")
    page.goto(request_url)
    act(page, "Передать другому врачу", text="Вопрос к онкологу-химиотерапевту.", doctor="Козлов Андрей Валерьевич — Врач-онколог")
    status_is(page, "Новая")
    switch_user(page, url, "consultant4")
    page.goto(url + "/requests/available/")
    expect(page.locator("tr", has_text=number)).to_be_visible()
    page.goto(request_url)
    act(page, "Взять в работу")
    act(page, "Отказать", text="Нужна гистологическая верификация до консультации.")
    status_is(page, "Отказ")
    history = page.locator(".tmk-timeline")
    for step in ("Заявка создана", "Заявка отправлена", "Согласована", "Взята в работу",
                 "Запрошена дополнительная информация", "Информация предоставлена", "Срок приостановлен",
                 "Передана другому врачу", "Отказ"):
        expect(history).to_contain_text(step)
    screenshot(page, "request-refused-history")

    # finished requests are behind the switch in «Исходящие»
    switch_user(page, url, "requester1")
    page.goto(url + "/requests/outgoing/")
    expect(page.locator("tr", has_text=number)).to_have_count(0)
    page.get_by_role("link", name="Показать завершённые").click()
    expect(page.locator("tr", has_text=number)).to_be_visible()
    assert page.js_errors == []


def test_author_cancels_a_request(portal, page):
    url, _ = portal
    switch_user(page, url, "requester2")
    page.goto(url + "/requests/outgoing/")
    row = page.locator("tr.tmk-row", has_text="Новая").first
    number = row.locator("a").first.inner_text()
    row.locator("a").first.click()
    panel = page.locator("#tmk-panel")
    expect(panel).to_contain_text(number)
    panel.get_by_role("button", name="Отменить заявку").click()
    dialog = page.locator(".modal.in")
    dialog.locator("textarea").fill("Пациент выписан.")
    dialog.locator(".modal-footer button[type=submit]").click()
    expect(page.get_by_text(f"{number}: Отменена")).to_be_visible()
