"""«Помощь» in the browser (issue 13, item 1): every role reaches it from the top bar, the search finds other
forms of a word and marks them; and the screenshots the guide shows (app/static/help/) are made here, at
1366×768 and at a 390 px phone width, so that they follow the portal's look."""
import os
import re
from pathlib import Path

import pytest
from PIL import Image
from playwright.sync_api import expect

from app.help.guide import pages
from tests.browser.conftest import new_request, screenshot, sign_in

PUBLISHED = Path(__file__).resolve().parents[2] / "app" / "static" / "help"
# the published images are rewritten only when asked (the screens show today's dates, so every run differs);
# otherwise they are made in a temporary directory and checked the same way
UPDATE = os.environ.get("TMK_UPDATE_HELP_SCREENS") == "1"
DESKTOP = {"width": 1366, "height": 768}
PHONE = {"width": 390, "height": 844}


@pytest.fixture()
def screens(tmp_path) -> Path:
    return PUBLISHED if UPDATE else tmp_path


def _save(page, screens: Path, name: str, height: int | None = None) -> None:
    """The visible page (its top ``height`` px) as <screens>/<name>.png, reduced to 256 colours."""
    path = screens / f"{name}.png"
    clip = {"x": 0, "y": 0, "width": page.viewport_size["width"], "height": height} if height else None
    page.screenshot(path=str(path), animations="disabled", clip=clip)
    with Image.open(path) as image:
        small = image.convert("RGB").quantize(colors=256, method=Image.Quantize.MEDIANCUT)
    small.save(path, optimize=True)


def test_the_guide_screenshots(portal, browser, screens):
    """Made anew at every run: the images the guide's Markdown names (app/help/guide/*.md); published in
    app/static/help/ with TMK_UPDATE_HELP_SCREENS=1."""
    url, _ = portal
    desktop = browser.new_context(locale="ru-RU", viewport=DESKTOP)
    page = desktop.new_page()
    sign_in(page, url, "consultant1")
    page.wait_for_url(url + "/")
    expect(page.locator('[data-card="action"] .tmk-desk-item').first).to_be_visible()
    _save(page, screens, "home-1366")
    page.goto(url + "/requests/all/")
    page.locator(".tmk-request-table tr.tmk-row").first.click()
    expect(page.locator(".tmk-request-table tr.tmk-selected")).to_have_count(1)
    page.wait_for_load_state("networkidle")
    _save(page, screens, "lists-1366")

    # a new request of «Доступные»: its chat is read before the take
    fresh = new_request(url)
    page.goto(url + "/requests/available/")
    page.locator(f".tmk-request-table tr.tmk-row[data-id='{fresh}']").click()
    page.get_by_role("link", name="Открыть страницу заявки").click()
    page.wait_for_url(re.compile(r"/requests/\d+$"))
    page.locator("#tmk-chat-toggle").click()
    expect(page.locator("#tmk-chat .tmk-chat-read-only")).to_be_visible()
    expect(page.locator("#tmk-chat .tmk-chat-messages > li").first).to_be_visible()
    _save(page, screens, "chat-read-only-1366")

    page.goto(url + "/requests/in_work/")
    page.locator(".tmk-request-table tr.tmk-row").first.click()
    page.get_by_role("link", name="Открыть страницу заявки").click()
    page.wait_for_url(re.compile(r"/requests/\d+$"))
    _save(page, screens, "request-1366")
    page.locator("#tmk-chat-toggle").click()
    expect(page.locator("#tmk-chat")).to_be_visible()
    page.locator("#tmk-chat textarea").fill("Добрый день! Посмотрю выписку сегодня до 15:00.")
    page.locator("#tmk-chat").get_by_role("button", name="Отправить").click()
    expect(page.locator("#tmk-chat .tmk-msg-mine").last).to_contain_text("Посмотрю выписку", timeout=15000)
    expect(page.locator("#tmk-chat textarea")).to_have_value("")  # the sent text leaves the field
    _save(page, screens, "chat-1366")
    page.get_by_role("link", name="Сформировать заключение").click()
    page.wait_for_url(re.compile(r"/requests/\d+/conclusion$"))
    _save(page, screens, "conclusion-1366")

    page.goto(url + "/documents/")
    _save(page, screens, "documents-1366", height=320)
    page.goto(url + "/profile/notifications")
    _save(page, screens, "profile-1366")
    desktop.close()

    author = browser.new_context(locale="ru-RU", viewport=DESKTOP).new_page()
    sign_in(author, url, "requester1")
    author.wait_for_url(url + "/")
    author.goto(url + "/requests/new/")
    author.get_by_role("link", name="Кардиология").click()
    author.wait_for_url(re.compile(r"/requests/new/profile/\d+$"))
    _save(author, screens, "new-request-1366", height=330)
    author.locator(".list-group a").first.click()
    author.wait_for_url(re.compile(r"/requests/new/route/\d+$"))
    _save(author, screens, "new-request-form-1366")
    author.fill("#patient_snils", "112-233-445 95")  # Смирнов, a patient of requester1's requests
    author.get_by_role("button", name="Найти пациента").click()
    expect(author.locator(".tmk-patient-lookup-status")).to_have_text("Пациент найден: поля заполнены, проверьте их")
    author.locator("fieldset", has_text="Пациент").first.evaluate(
        "node => { node.scrollIntoView({block: 'start'}); window.scrollBy(0, -12); }")
    _save(author, screens, "new-request-patient-1366", height=405)  # down to the consent
    author.context.close()

    phone = browser.new_context(locale="ru-RU", viewport=PHONE, device_scale_factor=1).new_page()
    sign_in(phone, url, "consultant1")
    phone.wait_for_url(url + "/")
    expect(phone.locator('[data-card="action"] .tmk-desk-item').first).to_be_visible()
    _save(phone, screens, "home-390")
    phone.goto(url + "/requests/all/")
    _save(phone, screens, "lists-390")
    phone.locator(".navbar-toggle").click()
    expect(phone.locator(".navbar-collapse").first).to_have_class(re.compile(r"(^|\s)in(\s|$)"))
    _save(phone, screens, "menu-390")
    phone.context.close()

    named = {name for guide_page in pages() for name in re.findall(r"!\[[^\]]*\]\(([^)]+)\.png\)", guide_page.source)}
    for directory in {screens, PUBLISHED}:
        made = {path.stem for path in directory.glob("*.png")}
        assert named <= made, (directory, named - made)
        for name in named:
            with Image.open(directory / f"{name}.png") as image:
                assert image.width in (DESKTOP["width"], PHONE["width"]), name
                assert image.mode == "P", name  # 256 colours: a tenth of the size
            assert (directory / f"{name}.png").stat().st_size < 250_000, name


@pytest.mark.parametrize("login", ["regadmin", "moadmin1", "coordinator1", "consultant1", "requester1"])
def test_help_is_at_the_top_right_and_finds_other_forms_of_a_word(portal, page, login):
    url, _ = portal
    page.set_viewport_size(DESKTOP)
    sign_in(page, url, login)
    page.wait_for_url(url + "/")
    help_link = page.locator(".navbar-right #tmk-help")
    expect(help_link).to_be_visible()
    expect(help_link).to_have_attribute("aria-label", "Помощь")
    assert page.locator(".navbar").bounding_box()["height"] <= 60  # the bar stays one row
    help_link.click()
    page.wait_for_url(url + "/help/")
    expect(page.locator("h1")).to_have_text("Помощь")
    expect(help_link).to_have_attribute("aria-current", "page")
    for guide_page in pages():
        expect(page.locator(".tmk-help-toc").get_by_role("link", name=guide_page.title, exact=True)).to_be_visible()

    # the demo's questions and answers, opened one by one, their Markdown rendered
    question = page.locator("details.tmk-help-faq", has_text="Обязательно ли подписывать")
    expect(question.locator("strong", has_text="Пропустить")).to_be_hidden()
    question.locator("summary").click()
    expect(question.locator("strong", has_text="Пропустить")).to_be_visible()

    page.get_by_label("Поиск по справке").fill("подписи")
    page.get_by_role("button", name="Найти").click()
    hits = page.locator(".tmk-help-hits > li")
    expect(hits.first).to_be_visible()
    marked = [text.lower() for text in page.locator(".tmk-help-hits mark").all_inner_texts()]
    assert "подписать" in marked and "подпись" in marked, marked
    hits.get_by_role("link", name="Подписать заключение").click()
    page.wait_for_url(re.compile(r"/help/guide/conclusion#s\d$"))
    expect(page.locator("h2", has_text="Подписать заключение")).to_be_in_viewport()

    page.goto(url + "/help/?q=" + "%22%29%28*")
    expect(page.locator(".tmk-help-results")).to_contain_text("Введите слово для поиска")
    assert page.js_errors == []


def test_on_a_phone_help_is_in_the_folded_menu(portal, page):
    url, _ = portal
    page.set_viewport_size(PHONE)
    sign_in(page, url, "requester1")
    page.wait_for_url(url + "/")
    page.locator(".navbar-toggle").click()
    expect(page.locator(".navbar-collapse").first).to_have_class(re.compile(r"(^|\s)in(\s|$)"))
    page.locator("#tmk-help").click()
    page.wait_for_url(url + "/help/")
    page.get_by_role("link", name="Новая заявка", exact=True).click()
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    for image in page.locator(".tmk-help-page img").all():
        image.scroll_into_view_if_needed()
        assert image.evaluate("img => img.decode().then(() => img.naturalWidth)") > 0
        assert image.bounding_box()["width"] <= PHONE["width"]
    screenshot(page, "help-guide-390")
    assert page.js_errors == []
