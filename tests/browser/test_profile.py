"""The own profile's tabs (issue 13, item 2) clicked through at 1366 px and on a 390 px phone: each tab is a page
of its own, saving stays on it and says «Сохранено», nothing is wider than the screen; the photo then stands
beside the author's messages in the chat."""
import re

import pytest
from PIL import Image
from playwright.sync_api import expect

from tests.browser.conftest import screenshot, sign_in
from tests.browser.test_chat import open_request_chat

WIDTHS = {"desktop": {"width": 1366, "height": 768}, "phone": {"width": 390, "height": 844}}
TABS = [("Информация", "info"), ("Изображения", "photo"), ("Доступ", "access"), ("Контакты", "contacts"),
        ("Настройка уведомлений", "notifications")]


def photo_file(tmp_path):
    picture = Image.new("RGB", (900, 600), (26, 127, 134))
    picture.paste((240, 240, 240), (300, 150, 600, 450))
    path = tmp_path / "portrait.jpg"
    picture.save(path, "JPEG")
    return path


def open_tab(page, label: str) -> None:
    """The tab, loaded with its scripts (a file chosen before profile.js listens would show no square)."""
    with page.expect_navigation(wait_until="load"):
        page.locator(".tmk-profile-tabs").get_by_role("link", name=label).click()


def fits(page) -> bool:
    return page.evaluate("document.scrollingElement.scrollWidth <= window.innerWidth + 1")


def saved(page, tab: str) -> None:
    expect(page).to_have_url(re.compile(f"/profile/{tab}$"))
    expect(page.locator(".alert-success")).to_contain_text("Сохранено")
    expect(page.locator(f'.tmk-profile-tabs a[data-tab="{tab}"]')).to_have_attribute("aria-current", "page")


@pytest.mark.parametrize("width", WIDTHS)
def test_the_profile_tabs_save_and_stay(portal, browser, tmp_path, width):
    url, _ = portal
    context = browser.new_context(locale="ru-RU", viewport=WIDTHS[width])
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    login = "consultant2" if width == "desktop" else "coordinator1"
    sign_in(page, url, login)
    page.wait_for_url(url + "/")
    page.goto(url + "/users/userinfo/")  # where the user menu's «Профиль» leads
    expect(page).to_have_url(re.compile("/profile/info$"))

    for label, tab in TABS:  # every tab by its link, each at its own address
        open_tab(page, label)
        expect(page).to_have_url(re.compile(f"/profile/{tab}$"))
        expect(page.locator(".tmk-profile-body")).to_have_attribute("data-tab", tab)
        assert fits(page), f"{tab} is wider than the screen at {width}"
        screenshot(page, f"profile-{tab}-{width}")

    open_tab(page, "Информация")
    expect(page.get_by_text("Изменяет администратор")).to_be_visible()
    middle_name = page.get_by_label("Отчество").input_value()
    page.get_by_label("Отчество").fill("Тестович")
    page.get_by_role("button", name="Сохранить").click()
    saved(page, "info")
    expect(page.get_by_label("Отчество")).to_have_value("Тестович")
    page.get_by_label("Отчество").fill(middle_name)  # the other browser tests know this doctor by his name
    page.get_by_role("button", name="Сохранить").click()
    saved(page, "info")

    open_tab(page, "Контакты")
    page.get_by_label("Рабочий адрес").fill("Корпус 3, кабинет 12")
    page.get_by_role("button", name="Сохранить").click()
    saved(page, "contacts")
    expect(page.get_by_label("Рабочий адрес")).to_have_value("Корпус 3, кабинет 12")

    open_tab(page, "Настройка уведомлений")
    box = page.locator('input[name="portal_events"][value="deadlines"]')
    box.uncheck()
    page.get_by_role("button", name="Сохранить").click()
    saved(page, "notifications")
    expect(box).not_to_be_checked()
    box.check()
    page.get_by_role("button", name="Сохранить").click()
    saved(page, "notifications")

    open_tab(page, "Изображения")
    expect(page.locator(".tmk-profile-photo-now .tmk-avatar-initials")).to_be_visible()
    page.get_by_label("Новая фотография").set_input_files(photo_file(tmp_path))
    square = page.get_by_role("img", name="Так будет выглядеть фотография")  # the chosen file, not yet sent
    expect(square).to_have_css("background-image", re.compile("blob:"))
    box = square.bounding_box()
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.mouse.down()
    page.mouse.move(box["x"] - 300, box["y"] + box["height"] / 2, steps=5)  # the picture left: its right part
    page.mouse.up()
    expect(page.locator('input[name="crop_x"]')).to_have_value("1.0000")
    square.focus()
    page.keyboard.press("ArrowRight")  # the picture a little to the right again, from the keyboard
    assert 0.5 < float(page.locator('input[name="crop_x"]').input_value()) < 1
    page.get_by_label("Масштаб").fill("200")
    expect(page.locator('input[name="crop_zoom"]')).to_have_value("2.00")
    screenshot(page, f"profile-photo-square-{width}")
    page.get_by_role("button", name="Загрузить").click()
    saved(page, "photo")
    photo = page.locator(".tmk-profile-photo-now img.tmk-avatar")
    expect(photo).to_be_visible()
    assert photo.evaluate("img => img.complete && img.naturalWidth") == 256
    screenshot(page, f"profile-photo-saved-{width}")
    page.get_by_role("button", name="Удалить фотографию").click()
    expect(page.locator(".alert-success")).to_contain_text("Фотография удалена")

    open_tab(page, "Доступ")
    expect(page.get_by_text("не привязана")).to_be_visible()
    page.get_by_label(re.compile("^Текущий пароль")).fill("Неверный-1")
    page.get_by_label(re.compile("^Новый пароль")).fill("Novyi-2026")
    page.get_by_label("Повторите новый пароль").fill("Novyi-2026")
    page.get_by_role("button", name="Изменить пароль").click()
    expect(page.get_by_text("Текущий пароль указан неверно")).to_be_visible()
    expect(page.locator(".tmk-profile-tabs a[data-tab=access]")).to_have_attribute("aria-current", "page")
    assert fits(page)
    screenshot(page, f"profile-access-error-{width}")
    assert errors == []
    context.close()


def test_the_photo_stands_beside_the_authors_messages(portal, browser, tmp_path):
    url, _ = portal
    page = browser.new_context(locale="ru-RU", viewport=WIDTHS["desktop"]).new_page()
    sign_in(page, url, "requester1")
    page.wait_for_url(url + "/")
    page.goto(url + "/requests/outgoing/")
    # the last new one: the chat tests take the first and count its messages
    number = page.locator("tr.tmk-row", has_text="Новая").last.locator("a").first.inner_text()
    page.goto(url + "/profile/photo")
    page.get_by_label("Новая фотография").set_input_files(photo_file(tmp_path))
    page.get_by_role("button", name="Загрузить").click()
    saved(page, "photo")
    try:
        page.goto(url + "/logout/")
        open_request_chat(page, url, "requester1", number)
        chat = page.locator("#tmk-chat")
        chat.locator("textarea").fill("Фото рядом с сообщением")
        chat.get_by_role("button", name="Отправить").click()
        mine = chat.locator(".tmk-msg-mine", has_text="Фото рядом с сообщением")
        expect(mine.locator("img.tmk-avatar")).to_be_visible()
        assert mine.locator("img.tmk-avatar").evaluate("img => img.complete && img.naturalWidth") == 256
        expect(chat.locator(".tmk-kind-system .tmk-avatar")).to_have_count(0)
        screenshot(page, "profile-chat-avatar")
        page.goto(url + "/directory/list/")
        expect(page.locator("img.tmk-avatar").first).to_be_visible()
        expect(page.locator(".tmk-avatar-initials").first).to_be_visible()
        screenshot(page, "profile-directory")
    finally:
        page.goto(url + "/profile/photo")
        page.get_by_role("button", name="Удалить фотографию").click()
