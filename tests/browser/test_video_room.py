"""The video room in Chromium (issue 14): the request page and its chat open the room; the room page gives
the IFrame API (here the local stand-in for the Jitsi server's script, tests/browser/stand_in) the room, a
token for it and the toolbar; the IFrame API's events become reports, and the reports the request's
history and chat, end to end."""
import json
import urllib.request

import jwt

from tests.browser.conftest import VIDEO_SERVER, jitsi_stand_in, new_request, screenshot, sign_in


def take(url: str, request_id: int, consultant: str = "consultant1") -> None:
    def call(path, body, token=None):
        headers = {"Content-Type": "application/json", **({"Authorization": f"Bearer {token}"} if token else {})}
        with urllib.request.urlopen(urllib.request.Request(url + path, json.dumps(body).encode(), headers)) as answer:
            return json.load(answer)

    token = call("/api/v1/security/login", {"username": consultant, "password": "Demo-2026!", "provider": "db"})
    call(f"/api/v1/requests/{request_id}/take", {}, token["access_token"])


def room_tab(browser, url, login):
    context = browser.new_context(locale="ru-RU", viewport={"width": 1366, "height": 768})
    jitsi_stand_in(context)
    tab = context.new_page()
    errors = []
    tab.on("pageerror", lambda error: errors.append(str(error)))
    tab.js_errors = errors
    sign_in(tab, url, login)
    return tab


def recorded(tab) -> dict:
    tab.wait_for_function("() => window.tmkJitsi && window.tmkJitsi.options.jwt")
    return tab.evaluate("() => ({domain: tmkJitsi.domain, options: tmkJitsi.options, commands: tmkJitsi.commands})")


def fire(tab, name, data=None):
    tab.evaluate("([name, data]) => tmkJitsi.fire(name, data)", [name, data or {}])


def test_a_session_in_the_room_is_written_into_the_request(portal, browser):
    url, _ = portal
    request_id = new_request(url)
    take(url, request_id)
    consultant = room_tab(browser, url, "consultant1")
    author = room_tab(browser, url, "requester1")
    try:
        # the request page's block and the chat's head lead to the room
        consultant.goto(f"{url}/requests/{request_id}")
        block = consultant.locator(".tmk-video-block a", has_text="Видеоконсультация")
        assert block.get_attribute("href") == f"/requests/{request_id}/video"
        assert consultant.locator(".tmk-chat-head a", has_text="Видеоконсультация").count() == 1
        block.click()
        consultant.wait_for_url(f"**/requests/{request_id}/video")

        given = recorded(consultant)
        assert given["domain"] == VIDEO_SERVER["JITSI_DOMAIN"] and given["options"]["lang"] == "ru"
        claims = jwt.decode(given["options"]["jwt"], VIDEO_SERVER["JITSI_APP_SECRET"], algorithms=["HS256"],
                            audience="jitsi")
        assert claims["room"] == given["options"]["roomName"] and len(claims["room"]) == 32
        assert claims["context"]["user"] == {**claims["context"]["user"], "name": "Иванов И. И.", "moderator": True}
        assert "desktop" in given["options"]["configOverwrite"]["toolbarButtons"]
        assert given["options"]["configOverwrite"]["gravatar"] == {"disabled": True}
        assert consultant.get_by_role("button", name="Завершить для всех").is_disabled()  # until in the room

        fire(consultant, "videoConferenceJoined", {"roomName": claims["room"]})
        consultant.get_by_text("Вы в видеоконсультации.").wait_for()
        consultant.get_by_role("button", name="Демонстрация экрана").click()
        assert recorded(consultant)["commands"][-1] == ["toggleShareScreen"]

        author.goto(f"{url}/requests/{request_id}/video")
        assert recorded(author)["options"]["roomName"] == claims["room"]  # the same room, his own token
        assert author.get_by_role("button", name="Завершить для всех").count() == 0  # no moderator
        fire(author, "videoConferenceJoined")
        author.get_by_text("Вы в видеоконсультации.").wait_for()
        fire(author, "recordingStatusChanged", {"on": True, "mode": "file"})
        author.get_by_text("Идёт запись видеоконсультации").wait_for()
        screenshot(author, "video-room")
        author.get_by_role("button", name="Выйти").click()
        author.get_by_text("Вы вышли из видеоконсультации.").wait_for()

        consultant.once("dialog", lambda dialog: dialog.accept())
        consultant.get_by_role("button", name="Завершить для всех").click()
        consultant.get_by_text("Вы вышли из видеоконсультации.").wait_for()
        assert ["endConference"] in recorded(consultant)["commands"]

        # the history and the chat, as the author sees them on the request page
        author.goto(f"{url}/requests/{request_id}")
        history = author.locator(".tmk-timeline")
        for line in ("Видеоконсультация начата", "Присоединился к видеоконсультации", "Покинул видеоконсультацию",
                     "Видеоконсультация завершена"):
            assert history.get_by_text(line).count() >= 1, line
        author.locator("#tmk-chat-toggle").click()
        author.locator(".tmk-chat-messages").get_by_text("Видеоконсультация завершена, 1 мин").wait_for()
        assert not consultant.js_errors and not author.js_errors, consultant.js_errors + author.js_errors
    finally:
        consultant.context.close()
        author.context.close()


def test_a_closed_page_leaves_the_room(portal, browser):
    url, _ = portal
    request_id = new_request(url)
    take(url, request_id)
    consultant = room_tab(browser, url, "consultant1")
    try:
        consultant.goto(f"{url}/requests/{request_id}/video")
        recorded(consultant)
        fire(consultant, "videoConferenceJoined")
        consultant.get_by_text("Вы в видеоконсультации.").wait_for()
        consultant.goto(f"{url}/requests/{request_id}")  # pagehide: the report outlives the page
        consultant.locator("#tmk-chat-toggle").click()
        consultant.locator(".tmk-chat-messages").get_by_text("Видеоконсультация завершена, 1 мин").wait_for()
    finally:
        consultant.context.close()


def test_the_video_server_script_missing_is_said_in_russian(portal, browser):
    url, _ = portal
    request_id = new_request(url)
    context = browser.new_context(locale="ru-RU")
    context.route("https://meet.test/external_api.js", lambda route: route.abort())
    tab = context.new_page()
    try:
        sign_in(tab, url, "requester1")
        tab.goto(f"{url}/requests/{request_id}/video")
        tab.get_by_text("Видеосервер не отвечает").wait_for()
    finally:
        context.close()


def test_the_room_uses_the_devices_chosen_on_the_equipment_check(portal, browser):
    """The choice kept by «Проверка оборудования» reaches the room by the devices' names (their ids are the
    portal's own: the video server's frame has others)."""
    from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS

    url, _ = portal
    request_id = new_request(url)
    take(url, request_id)
    consenting = browser.browser_type.launch(executable_path=CHROMIUM, args=[
        *CHROMIUM_ARGS, "--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream"])
    try:
        context = consenting.new_context(locale="ru-RU")
        jitsi_stand_in(context)
        tab = context.new_page()
        sign_in(tab, url, "consultant1")
        tab.goto(f"{url}/video/equipment")
        tab.wait_for_function("() => document.querySelectorAll('#eq-microphone option').length > 1")
        chosen = tab.locator("#eq-microphone option").nth(1).get_attribute("value")
        tab.select_option("#eq-microphone", chosen)
        label = tab.evaluate("""id => navigator.mediaDevices.enumerateDevices().then(found =>
            found.filter(d => d.kind === 'audioinput' && d.deviceId === id)[0].label)""", chosen)
        assert label
        tab.goto(f"{url}/requests/{request_id}/video")
        assert recorded(tab)["options"]["devices"] == {"audioInput": label}
    finally:
        consenting.close()
