"""Finishing a consultation in the browser (manual §3.6): the consultant takes a request, fills the
conclusion form, gets the PDF, signs it with a signature file (no CryptoPro plug-in here), and the
requester prints and downloads the zip whose signature verifies."""
import io
import re
import zipfile

from playwright.sync_api import expect

from app.conclusions.signatures import verify_detached
from app.demo import USERS, demo_snils
from tests.browser.conftest import screenshot
from tests.browser.test_request_cycle import act, status_is, switch_user
from tests.crypto_helpers import make_ca, make_doctor, sign_detached


def consultant1_certificate():
    """A certificate with consultant1's СНИЛС (the demo gives the n-th user the n-th СНИЛС)."""
    index = [login for login, *_ in USERS].index("consultant1") + 1
    return make_doctor(make_ca(), snils=demo_snils(index))


def test_conclusion_form_signature_and_zip(portal, page, tmp_path):
    url, _ = portal
    switch_user(page, url, "consultant1")
    page.goto(url + "/requests/available/")
    first = page.locator("a.tmk-row-link").first
    request_id = re.search(r"selected=(\d+)", first.get_attribute("href")).group(1)
    request_url = f"{url}/requests/{request_id}"
    page.goto(request_url)
    act(page, "Взять в работу")
    status_is(page, "В работе")

    page.get_by_role("link", name="Сформировать заключение").click()
    expect(page.get_by_role("heading", name="Сформировать заключение")).to_be_visible()
    page.get_by_role("button", name="Сформировать").click()
    expect(page.get_by_text("Заполните обязательные поля, отмеченные «*»")).to_be_visible()
    expect(page.locator(".tmk-field-error").first).to_have_text("Обязательное поле")
    page.fill("#answer", "Рекомендована коронарография; до неё — двойная антитромбоцитарная терапия.")
    page.fill("#condition", "Состояние средней тяжести, стабильное.")
    page.get_by_label("Отложенный").check()
    page.fill("#recommendations_treatment", "Аспирин 100 мг утром <script>alert(1)</script>")
    screenshot(page, "conclusion-form")
    page.get_by_role("button", name="Сформировать").click()

    expect(page.get_by_text("Заключение успешно сформировано")).to_be_visible()
    expect(page.get_by_role("heading", name="Подписание заключения квалифицированной электронной подписью")).to_be_visible()
    expect(page.locator("[data-signing-upload]")).to_be_visible()  # no CryptoPro plug-in in this browser
    pdf_link = page.locator("[data-signing]").get_attribute("data-document-url")
    pdf = page.request.get(url + pdf_link).body()
    assert pdf.startswith(b"%PDF-")
    doctor = consultant1_certificate()
    page.set_input_files("#tmk-signature-file", files=[{
        "name": "conclusion.sgn", "mimeType": "application/pkcs7-signature",
        "buffer": sign_detached(pdf, doctor.certificate, doctor.key)}])
    screenshot(page, "conclusion-signing")
    page.get_by_role("button", name="Загрузить подпись").click()
    expect(page.get_by_text("Заключение подписано, работы по заявке завершены")).to_be_visible()
    status_is(page, "Завершена")

    switch_user(page, url, "requester1")
    page.goto(request_url)
    expect(page.locator(".tmk-conclusion")).to_contain_text("Петров Пётр Петрович")
    page.get_by_role("button", name="Печать").click()
    dialog = page.locator(".modal.in")
    expect(dialog.get_by_role("link", name=".docx")).to_be_visible()
    expect(dialog.get_by_role("link", name=".pdf")).to_be_visible()
    screenshot(page, "conclusion-print")
    dialog.locator("button.close").click()
    with page.expect_download() as download:
        page.locator("[data-download-zip]").click()
    archive = zipfile.ZipFile(io.BytesIO(open(download.value.path(), "rb").read()))
    pdf_name = next(name for name in archive.namelist() if name.endswith(".pdf"))
    assert verify_detached(archive.read(pdf_name), archive.read(pdf_name + ".sgn"))[0].signer == "Петров Пётр Петрович"
    assert archive.read(pdf_name) == pdf
    assert not page.js_errors, page.js_errors
