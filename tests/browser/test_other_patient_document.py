"""A document of one patient sent from «Документы» to the chat of another patient's request (issue 13,
item 5): the page asks, naming both patients, and sends only after «OK»."""
import re

from playwright.sync_api import expect

from tests.browser.conftest import sign_in
from tests.browser.test_chat_media import png


def _rows_of_two_patients(page, url):
    """(number, patient) of two of requester1's requests for different patients."""
    page.goto(url + "/requests/outgoing/?psize=100")
    found = {}
    for row in page.locator("tr.tmk-row").all():
        number = row.locator("a").first.inner_text()
        patient = next((cell for cell in row.locator("td").all_inner_texts() if re.search(r"\w\. \w\.$", cell.strip())), None)
        if patient:  # a patient without a middle name is «Фамилия И.»
            found.setdefault(patient.strip(), number)
        if len(found) == 2:
            return list(found.items())
    raise AssertionError("requester1 has no requests of two patients")


def _open_chat(page, url, number):
    page.goto(url + "/requests/all/?q=" + number)
    page.get_by_role("link", name=number).click()
    page.locator("#tmk-panel").get_by_role("link", name="Открыть страницу заявки").click()
    page.get_by_role("button", name="Показать/скрыть чат по заявке").click()
    return page.locator("#tmk-chat")


# this file's own image: other browser tests of the same portal post images to these chats too
SENT = 'img.tmk-msg-image[alt="Рентген-чужой.png"]'


def test_a_document_of_another_patient_is_sent_after_confirmation(portal, page):
    url, _ = portal
    sign_in(page, url, "requester1")
    page.wait_for_url(url + "/")
    (first_patient, first), (second_patient, second) = _rows_of_two_patients(page, url)

    chat = _open_chat(page, url, first)
    with page.expect_file_chooser() as chooser:
        chat.get_by_role("button", name="Прикрепить файл").click()
        chat.locator(".dropdown-menu").get_by_role("link", name="С компьютера").click()
    chooser.value.set_files(files=[{"name": "Рентген-чужой.png", "mimeType": "image/png", "buffer": png()}])
    chat.get_by_role("button", name="Отправить").click()
    expect(chat.locator(SENT)).to_have_count(1, timeout=10000)

    chat = _open_chat(page, url, second)
    chat.get_by_role("button", name="Прикрепить файл").click()
    chat.locator(".dropdown-menu").get_by_role("link", name="Из «Документов»").click()
    picker = page.locator("#tmk-picker")
    picker.get_by_role("searchbox", name="Имя файла").fill("Рентген-чужой")
    expect(picker.locator(".tmk-picker-item")).to_have_count(1)
    picker.locator(".tmk-picker-item").click()
    expect(picker).to_be_hidden()

    asked = []
    page.once("dialog", lambda dialog: (asked.append(dialog.message), dialog.dismiss()))
    chat.get_by_role("button", name="Отправить").click()
    expect(chat.locator(".tmk-chat-status")).to_contain_text("Документ относится к пациенту")
    question = (f"Документ относится к пациенту {first_patient.removesuffix('.')}. "
                f"Прикрепить к заявке пациента {second_patient}?")
    assert asked == [question]
    assert chat.locator(SENT).count() == 0  # refused: nothing sent, the file stays attached
    expect(chat.locator(".tmk-chat-attached")).to_contain_text("Рентген-чужой.png")

    page.once("dialog", lambda dialog: dialog.accept())
    chat.get_by_role("button", name="Отправить").click()
    expect(chat.locator(SENT)).to_have_count(1, timeout=10000)
    # Chromium logs the refused send (409) as a console error; nothing else went wrong
    assert [error for error in page.js_errors if "409 (CONFLICT)" not in error] == []
