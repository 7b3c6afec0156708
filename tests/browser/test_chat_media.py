"""Files and recordings in the request chat, in real time between two people (manual §3.4.2–3.4.3),
and the recorder's Russian explanation when the browser is refused the microphone or camera.

Chromium's fake devices stand in for the microphone and the camera; a context's permissions say
whether the page may use them."""
import re
import struct
import zlib

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS, screenshot, sign_in

DEVICES = ["microphone", "camera"]


def png(width: int = 240, height: int = 120) -> bytes:
    """A real picture (colour bands), so the preview has something to show."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    rows = b"".join(b"\x00" + b"".join(bytes((x * 255 // width, 120, 255 - y * 255 // height)) for x in range(width))
                    for y in range(height))  # each row: filter type 0, then RGB pixels
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")


@pytest.fixture(scope="module")
def media_browser(browser):
    """Chromium with a fake microphone and camera (a tone and a test picture)."""
    instance = browser.browser_type.launch(executable_path=CHROMIUM,
                                           args=CHROMIUM_ARGS + ["--use-fake-device-for-media-stream"])
    yield instance
    instance.close()


def person(media_browser, permissions):
    page = media_browser.new_context(locale="ru-RU", viewport={"width": 1280, "height": 900},
                                     permissions=permissions).new_page()
    page.js_errors = []
    page.on("pageerror", lambda error: page.js_errors.append(str(error)))
    return page


def a_new_request(page, url) -> str:
    """The address of requester1's first request that is still new."""
    sign_in(page, url, "requester1")
    page.wait_for_url(url + "/")
    page.goto(url + "/requests/outgoing/")
    request_id = page.locator("tr.tmk-row", has_text="Новая").first.get_attribute("data-id")
    page.goto(url + "/logout/")
    return f"/requests/{request_id}"


def open_chat(page, url, login, address) -> None:
    """The request page opened from «Сообщения» (#chat): the chat opens once its scripts have run."""
    sign_in(page, url, login)
    page.wait_for_url(url + "/")
    page.goto(url + address + "#chat")
    expect(page.locator("#tmk-chat")).to_be_visible()


def record(page, kind: str, seconds: int) -> None:
    """Open the recorder from the chat, record, listen back, send."""
    chat = page.locator("#tmk-chat")
    chat.get_by_role("button", name="Записать сообщение").click()
    chat.locator(".dropdown-menu").get_by_role("link", name={"audio": "Аудиосообщение", "video": "Видеосообщение"}[kind]).click()
    recorder = page.locator("#tmk-recorder")
    title = {"audio": "Создание аудиосообщения", "video": "Создание видеосообщения"}[kind]
    expect(recorder.locator(".modal-title")).to_have_text(title)
    recorder.get_by_role("button", name="Начать запись").click()
    expect(recorder.locator(".tmk-recorder-elapsed")).to_have_text(f"00:0{seconds}", timeout=10000)
    recorder.get_by_role("button", name="Остановить").click()
    expect(recorder.locator(f"{kind}.tmk-recorder-playback")).to_be_visible()
    recorder.get_by_role("button", name="Отправить").click()
    expect(recorder).to_be_hidden(timeout=15000)


def playable(page, selector: str) -> None:
    """The element loaded the file's metadata from the portal (readyState ≥ HAVE_METADATA)."""
    page.wait_for_function("s => { const e = document.querySelector(s); return e && e.readyState >= 1; }",
                           arg=selector, timeout=15000)


def test_two_people_exchange_a_file_and_recordings_in_real_time(portal, media_browser):
    url, _ = portal
    author, admin = person(media_browser, DEVICES), person(media_browser, DEVICES)
    address = a_new_request(author, url)
    open_chat(author, url, "requester1", address)
    open_chat(admin, url, "moadmin2", address)
    number = author.locator("h1").inner_text().split()[1]  # «Заявка ТМК-…»
    mine, theirs = author.locator("#tmk-chat"), admin.locator("#tmk-chat")

    # a picture from the computer, with a caption that tries to run a script
    with author.expect_file_chooser() as chooser:
        mine.get_by_role("button", name="Прикрепить файл").click()
        mine.locator(".dropdown-menu").get_by_role("link", name="С компьютера").click()
    chooser.value.set_files(files=[{"name": "ЭКГ <b>12.png", "mimeType": "image/png", "buffer": png()}])
    expect(mine.locator(".tmk-chat-attached")).to_contain_text("ЭКГ <b>12.png")
    mine.locator("textarea").fill('Снимок ЭКГ <img src=x onerror="document.title=\'взлом\'">')
    mine.get_by_role("button", name="Отправить").click()
    picture = theirs.locator("img.tmk-msg-image")
    expect(picture).to_be_visible(timeout=10000)  # arrived over the socket, no reload
    admin.wait_for_function("() => document.querySelector('#tmk-chat img.tmk-msg-image').naturalWidth === 240")
    expect(theirs.locator(".tmk-msg", has=admin.locator("img.tmk-msg-image"))).to_contain_text('Снимок ЭКГ <img src=x onerror=')
    expect(theirs.get_by_text("ЭКГ _b_12.png", exact=True)).to_have_attribute("href", re.compile(r"/download$"))
    assert theirs.locator("img").count() == 1  # the caption's tag stayed text

    record(author, "audio", 2)
    expect(theirs.locator("audio.tmk-msg-player")).to_have_count(1, timeout=10000)
    playable(admin, "#tmk-chat audio.tmk-msg-player")
    expect(theirs.locator(".tmk-kind-audio")).to_contain_text("Аудиозапись")
    screenshot(admin, "chat-media")  # the picture, its caption as text, the audio message

    # the same picture again, from «Документы»: no new upload
    mine.get_by_role("button", name="Прикрепить файл").click()
    mine.locator(".dropdown-menu").get_by_role("link", name="Из «Документов»").click()
    picker = author.locator("#tmk-picker")
    # the picture and the recording (besides the demo conclusions made for requester1's requests)
    expect(picker.locator(".tmk-picker-item", has_text="ЭКГ _b_12.png")).to_have_count(1)
    expect(picker.locator(".tmk-picker-item", has_text="Аудиосообщение")).to_have_count(1)
    picker.get_by_role("searchbox", name="Имя файла").fill("ЭКГ")
    expect(picker.locator(".tmk-picker-item")).to_have_count(1)
    picker.locator(".tmk-picker-item").click()
    expect(picker).to_be_hidden()
    expect(mine.locator(".tmk-chat-attached")).to_contain_text("ЭКГ _b_12.png")
    mine.get_by_role("button", name="Отправить").click()
    expect(theirs.locator("img.tmk-msg-image")).to_have_count(2, timeout=10000)

    record(admin, "video", 1)
    expect(mine.locator("video.tmk-msg-player")).to_have_count(1, timeout=10000)
    playable(author, "#tmk-chat video.tmk-msg-player")

    assert author.title() != "взлом" and admin.title() != "взлом"
    assert author.js_errors == [] and admin.js_errors == []
    screenshot(author, "chat-media-video")
    # both sides find the recordings among their own documents
    admin.goto(url + "/documents/?type=video")
    expect(admin.locator(".tmk-document-table")).to_contain_text("Видеосообщение")
    expect(admin.locator(".tmk-document-table")).to_contain_text(number)
    screenshot(admin, "documents")


def test_the_recorder_says_in_russian_when_the_browser_is_refused(portal, media_browser):
    url, _ = portal
    page = person(media_browser, [])  # no permission for the microphone or the camera
    open_chat(page, url, "requester1", a_new_request(page, url))
    chat = page.locator("#tmk-chat")
    for kind, label, told in (("audio", "Аудиосообщение", "Браузеру не разрешён доступ к микрофону"),
                              ("video", "Видеосообщение", "Браузеру не разрешён доступ к камере и микрофону")):
        chat.get_by_role("button", name="Записать сообщение").click()
        chat.locator(".dropdown-menu").get_by_role("link", name=label).click()
        recorder = page.locator("#tmk-recorder")
        recorder.get_by_role("button", name="Начать запись").click()
        expect(recorder.get_by_role("alert")).to_contain_text(told)
        expect(recorder.get_by_role("alert")).to_contain_text(re.compile("значок слева в адресной строке"))
        expect(recorder.get_by_role("button", name="Отправить")).to_be_disabled()
        screenshot(page, f"recorder-denied-{kind}")
        recorder.get_by_role("button", name="Отмена").click()
        expect(recorder).to_be_hidden()
    assert page.js_errors == []
