"""Finishing a consultation in the browser (manual §3.6): the consultant takes a request, fills the
conclusion form, gets the PDF, signs it with a signature file (no CryptoPro plug-in here), and the
requester prints and downloads the zip whose signature verifies; and signing through the plug-in's API."""
import base64
import io
import re
import zipfile

from playwright.sync_api import expect

from app.conclusions.signatures import verify_detached
from app.demo import USERS, demo_snils
from tests.browser.conftest import new_request, screenshot
from tests.browser.test_request_cycle import act, status_is, switch_user
from tests.crypto_helpers import make_ca, make_doctor, sign_detached


def consultant1_certificate():
    """A certificate with consultant1's СНИЛС (the demo gives the n-th user the n-th СНИЛС)."""
    index = [login for login, *_ in USERS].index("consultant1") + 1
    return make_doctor(make_ca(), snils=demo_snils(index))


def test_conclusion_form_signature_and_zip(portal, page, tmp_path):
    url, _ = portal
    switch_user(page, url, "consultant1")
    request_url = f"{url}/requests/{new_request(url)}"
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


# The CryptoPro plug-in cannot run here: a stand-in for its async cadesplugin API (the objects and calls
# js/signing.js uses) returns the signature the test made of the very PDF, and refuses anything but a
# detached CAdES-BES of that PDF's base64 — so what is tested is our side of the protocol.
FAKE_CADESPLUGIN = """
(() => {
  const constants = {CAPICOM_CURRENT_USER_STORE: 2, CAPICOM_MY_STORE: "My", CAPICOM_STORE_OPEN_MAXIMUM_ALLOWED: 2,
    CAPICOM_CERTIFICATE_FIND_TIME_VALID: 9, CAPICOM_CERTIFICATE_FIND_EXTENDED_PROPERTY: 6,
    CAPICOM_PROPID_KEY_PROV_INFO: 2, CAPICOM_AUTHENTICATED_ATTRIBUTE_SIGNING_TIME: 0,
    CADESCOM_BASE64_TO_BINARY: 1, CADESCOM_CADES_BES: 1};
  const certificate = {Thumbprint: Promise.resolve("AB12CD"), ValidToDate: Promise.resolve("2030-01-01T00:00:00Z"),
    SubjectName: Promise.resolve("CN=Петров Пётр Петрович, SN=Петров, G=Пётр Петрович, C=RU")};
  const collection = {Find: async () => collection, Count: Promise.resolve(1), Item: async () => certificate};
  const objects = {
    "CAdESCOM.Store": () => ({Open: async () => {}, Close: async () => {}, Certificates: Promise.resolve(collection)}),
    "CAdESCOM.CPSigner": () => {
      const signer = {propset_Certificate: async (c) => { signer.certificate = c; },
                      AuthenticatedAttributes2: Promise.resolve({Add: async () => {}})};
      return signer;
    },
    "CADESCOM.CPAttribute": () => ({propset_Name: async () => {}, propset_Value: async () => {}}),
    "CAdESCOM.CadesSignedData": () => {
      const data = {propset_ContentEncoding: async (e) => { data.encoding = e; },
                    propset_Content: async (c) => { data.content = c; }};
      data.SignCades = async (signer, type, detached) => {
        if (data.encoding !== 1 || type !== 1 || detached !== true || signer.certificate !== certificate
            || data.content !== window.tmkExpectedContent) { throw new Error("not a detached CAdES-BES of the PDF"); }
        return window.tmkSignature;
      };
      return data;
    },
  };
  window.cadesplugin = Object.assign(Promise.resolve(), constants, {
    CreateObjectAsync: async (name) => objects[name](),
    getLastError: (error) => error.message,
  });
})();
"""


def test_signing_through_the_cryptopro_plugin_api(portal, page):
    url, _ = portal
    page.context.add_init_script(FAKE_CADESPLUGIN)
    switch_user(page, url, "consultant3")
    page.goto(url + "/requests/in_work/")
    row = page.locator("tr", has=page.get_by_text("На подписании")).locator("a.tmk-row-link").first
    request_id = re.search(r"selected=(\d+)", row.get_attribute("href")).group(1)
    page.goto(f"{url}/requests/{request_id}")
    page.get_by_role("link", name="Подписать заключение").click()
    expect(page.locator("[data-certificates] option")).to_have_text(re.compile("Петров Пётр Петрович"))
    expect(page.locator("[data-signing-upload]")).to_be_hidden()  # the plug-in is there: no upload needed
    pdf = page.request.get(url + page.locator("[data-signing]").get_attribute("data-document-url")).body()
    index = [login for login, *_ in USERS].index("consultant3") + 1
    doctor = make_doctor(make_ca(), snils=demo_snils(index))
    signature = base64.encodebytes(sign_detached(pdf, doctor.certificate, doctor.key)).decode()  # in lines, as SignCades
    page.evaluate("([content, signature]) => { window.tmkExpectedContent = content; window.tmkSignature = signature; }",
                  [base64.b64encode(pdf).decode(), signature])
    screenshot(page, "conclusion-signing-plugin")
    page.get_by_role("button", name="Подписать").click()
    status_is(page, "Завершена")
    expect(page.locator(".tmk-conclusion")).to_contain_text("подписано: Петров Пётр Петрович")
    assert not page.js_errors, page.js_errors
