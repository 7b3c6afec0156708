"""«Проверка оборудования» in Chromium with its fake camera and microphone (a moving picture and a beep): the
picture plays, the level moves, the device lists fill, a chosen device is remembered after a reload, the speakers'
question gets its verdict, and leaving the page stops the camera; a black picture (a closed shutter) is called dark. Without the browser's consent the page explains in
Russian how to allow the access, and opened without HTTPS it says the portal must be opened over HTTPS."""
import re
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS, screenshot, sign_in

FAKE_DEVICES = ["--use-fake-device-for-media-stream"]
PAGE = "/video/equipment"


def _launch(browser, *args: str):
    """Another Chromium of the shared one's Playwright (a second Playwright may not run in the same thread)."""
    return browser.browser_type.launch(executable_path=CHROMIUM, args=[*CHROMIUM_ARGS, *FAKE_DEVICES, *args])


@pytest.fixture(scope="module")
def consenting(browser):
    """Chromium that says yes to every camera and microphone question (``browser`` skips without Chromium)."""
    instance = _launch(browser, "--use-fake-ui-for-media-stream")
    yield instance
    instance.close()


@pytest.fixture(scope="module")
def refusing(browser):
    """Chromium that says no, as a user who clicked «Блокировать»; tmk.test is the portal at an address without
    HTTPS that is not this computer's own name."""
    instance = _launch(browser, "--deny-permission-prompts", "--host-resolver-rules=MAP tmk.test 127.0.0.1")
    yield instance
    instance.close()


def _tab(instance, width: int = 1366, height: int = 768):
    context = instance.new_context(locale="ru-RU", viewport={"width": width, "height": height})
    tab = context.new_page()
    tab.js_errors = []
    tab.on("pageerror", lambda error: tab.js_errors.append(str(error)))
    tab.on("console", lambda message: message.type == "error" and tab.js_errors.append(message.text))
    return context, tab


def _options(page, select: str) -> list[str]:
    return page.locator(f"{select} option").evaluate_all("options => options.map(option => option.value)")


def test_the_camera_microphone_and_speakers_are_checked_and_chosen(portal, consenting):
    url, _ = portal
    context, page = _tab(consenting)
    sign_in(page, url, "requester1")
    page.wait_for_url(url + "/")
    page.goto(url + "/profile/access")
    page.get_by_role("link", name="Проверить оборудование").click()
    expect(page).to_have_url(url + PAGE)
    expect(page.get_by_role("heading", level=1)).to_have_text("Проверка оборудования")

    # the camera: frames come, the verdict says so
    page.wait_for_function("() => document.getElementById('eq-video').videoWidth > 0")
    assert page.evaluate("!document.getElementById('eq-video').paused")
    expect(page.locator("#eq-camera-verdict")).to_contain_text(re.compile(r"Камера работает, изображение \d+\s×\s\d+"))
    expect(page.locator("#eq-camera-verdict")).to_have_attribute("data-state", "ok")
    # the microphone: the fake one beeps, the meter moves above zero and the verdict says it is heard
    page.wait_for_function("() => Number(document.getElementById('eq-level').getAttribute('aria-valuenow')) > 0")
    expect(page.locator("#eq-microphone-verdict")).to_have_text("Микрофон работает — звук слышен")
    meter = page.get_by_role("meter", name="Уровень звука")
    expect(meter).to_have_attribute("aria-valuetext", re.compile(r"^\d+ %$"))
    # the lists are filled with the browser's devices and named for the reader
    cameras, microphones = _options(page, "#eq-camera"), _options(page, "#eq-microphone")
    speakers = _options(page, "#eq-speaker")
    assert cameras and "" not in cameras
    assert len(microphones) > 1 and len(speakers) > 1
    expect(page.get_by_label("Использовать камеру", exact=True)).to_be_enabled()
    expect(page.get_by_label("Выводить звук на", exact=True)).to_be_visible()
    expect(page.locator("#eq-speaker-unsupported")).to_be_hidden()
    expect(page.locator(".tmk-eq-problem:visible")).to_have_count(0)
    screenshot(page, "equipment-desktop")

    # another microphone and other speakers: kept in this browser and chosen again after a reload
    microphone, speaker = microphones[-1], speakers[-1]
    page.get_by_label("Использовать микрофон", exact=True).select_option(microphone)
    page.wait_for_function(
        "id => window.localStorage.getItem('tmk.video.microphone') === id", arg=microphone)
    page.get_by_label("Выводить звук на", exact=True).select_option(speaker)
    expect(page.locator("#eq-microphone-verdict")).to_have_text("Микрофон работает — звук слышен")
    page.reload()
    page.wait_for_function("() => document.getElementById('eq-video').videoWidth > 0")
    expect(page.get_by_label("Использовать микрофон", exact=True)).to_have_value(microphone)
    expect(page.get_by_label("Выводить звук на", exact=True)).to_have_value(speaker)
    assert page.evaluate("document.getElementById('eq-microphone').value") == microphone
    assert page.evaluate("window.localStorage.getItem('tmk.video.speaker')") == speaker
    assert page.evaluate("window.localStorage.getItem('tmk.video.camera')") is None  # not chosen: the default

    # the speakers: a sound, the question, the answer's verdict
    expect(page.locator("#eq-question")).to_be_hidden()
    page.get_by_role("button", name="Воспроизвести проверочный звук").click()
    expect(page.get_by_text("Слышите ли вы звук?")).to_be_visible()
    page.wait_for_function("() => !document.getElementById('eq-sound').paused")
    screenshot(page, "equipment-speakers-question")
    page.get_by_role("button", name="Нет").click()
    expect(page.locator("#eq-speaker-verdict")).to_contain_text("Звука нет — проверьте громкость")
    expect(page.locator("#eq-speaker-verdict")).to_have_attribute("data-state", "problem")
    page.get_by_role("button", name="Воспроизвести ещё раз").click()
    page.get_by_role("button", name="Да").click()
    expect(page.locator("#eq-speaker-verdict")).to_have_text("Динамики работают")
    expect(page.locator("#eq-speaker-verdict")).to_have_attribute("data-state", "ok")
    expect(page.locator("#eq-question")).to_be_hidden()
    screenshot(page, "equipment-speakers-verdict")

    # leaving the page stops the camera and the microphone (their light goes off)
    ended = page.evaluate("""() => {
        const tracks = [...document.getElementById('eq-video').srcObject.getTracks()];
        window.dispatchEvent(new PageTransitionEvent('pagehide'));
        return tracks.map(track => track.readyState);
    }""")
    assert ended == ["ended"]
    assert page.evaluate("() => document.getElementById('eq-video').srcObject") is None
    assert page.js_errors == []
    context.close()


def _black_video(path) -> str:
    """A few black frames in the Y4M format Chromium's fake camera plays in a loop: a camera with its shutter closed."""
    width, height = 64, 48
    frame = b"FRAME\n" + bytes([16]) * (width * height) + bytes([128]) * (width * height // 2)
    path.write_bytes(f"YUV4MPEG2 W{width} H{height} F30:1 Ip A1:1 C420jpeg\n".encode() + frame * 3)
    return str(path)


def test_a_covered_camera_is_called_dark(portal, browser, tmp_path):
    url, _ = portal
    instance = _launch(browser, "--use-fake-ui-for-media-stream",
                       f"--use-file-for-fake-video-capture={_black_video(tmp_path / 'black.y4m')}")
    context, page = _tab(instance)
    sign_in(page, url, "requester2")
    page.wait_for_url(url + "/")
    page.goto(url + PAGE)
    expect(page.locator("#eq-camera-verdict")).to_contain_text("Изображение совсем тёмное — откройте шторку камеры")
    expect(page.locator("#eq-camera-verdict")).to_have_attribute("data-state", "problem")
    expect(page.locator("#eq-microphone-verdict")).to_have_text("Микрофон работает — звук слышен")
    assert page.js_errors == []
    context.close()
    instance.close()


def test_a_phone_shows_the_check_in_one_column(portal, consenting):
    url, _ = portal
    context, page = _tab(consenting, 390, 844)
    sign_in(page, url, "consultant1")
    page.wait_for_url(url + "/")
    page.goto(url + PAGE)
    page.wait_for_function("() => document.getElementById('eq-video').videoWidth > 0")
    assert page.evaluate("document.scrollingElement.scrollWidth <= window.innerWidth + 1")
    screenshot(page, "equipment-phone")
    assert page.js_errors == []
    context.close()


def test_a_refusal_is_explained_with_how_to_allow_the_access(portal, refusing):
    url, _ = portal
    context, page = _tab(refusing)
    sign_in(page, url, "consultant1")
    page.wait_for_url(url + "/")
    page.goto(url + PAGE)
    problem = page.locator('.tmk-eq-problem[data-problem="denied"]')
    expect(problem).to_be_visible()
    expect(problem).to_contain_text("Браузер не разрешил порталу использовать камеру и микрофон")
    expect(problem).to_contain_text("Нажмите на значок слева от адресной строки")
    expect(problem).to_contain_text("выберите «Разрешить»")
    expect(page.locator(".tmk-eq-problem:visible")).to_have_count(1)
    expect(page.locator("#eq-camera-verdict")).to_have_text("Нет доступа к камере — разрешите его в браузере (см. выше)")
    expect(page.locator("#eq-microphone-verdict")).to_contain_text("Нет доступа к микрофону")
    expect(page.get_by_role("alert")).to_contain_text("Браузер не разрешил")
    screenshot(page, "equipment-denied")
    # «Проверить снова» asks again and is refused again: the same explanation, nothing broken
    problem.get_by_role("button", name="Проверить снова").click()
    expect(problem).to_be_visible()
    expect(page.locator("#eq-camera-verdict")).to_have_attribute("data-state", "problem")
    assert page.js_errors == []
    context.close()


def test_an_address_without_https_is_explained(portal, refusing):
    url, _ = portal
    insecure = f"http://tmk.test:{urlsplit(url).port}"
    context, page = _tab(refusing)
    sign_in(page, insecure, "coordinator1")
    page.wait_for_url(insecure + "/")
    page.goto(insecure + PAGE)
    assert page.evaluate("window.isSecureContext") is False
    problem = page.locator('.tmk-eq-problem[data-problem="insecure"]')
    expect(problem).to_be_visible()
    expect(problem).to_contain_text("https://")
    expect(problem).to_contain_text("localhost")
    expect(page.locator("#eq-camera-verdict")).to_have_text("Недоступно: портал открыт без HTTPS (см. выше)")
    assert page.js_errors == []
    context.close()
