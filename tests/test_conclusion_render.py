"""The conclusion rendered to PDF and DOCX with the real libraries, read back with pypdf and python-docx.

The hostile-input tests watch the render through Python audit hooks (every file open, every socket
call) and a local HTTP server that counts its hits: a field full of markup must come out as text and
make the renderer read nothing but its fonts.
"""
import dataclasses
import http.server
import io
import re
import sys
import threading
import zipfile
from pathlib import Path

import docx
import pypdf
import pytest
from markupsafe import Markup
from PIL import Image
from xhtml2pdf import pisa
from xhtml2pdf.config.resources import PERMISSIVE_POLICY

from app.conclusions.render import ConclusionContent, render_docx, render_pdf
from app.conclusions.render_pdf import FONTS, html_to_pdf

CONTENT = ConclusionContent(
    requesting_organization="ГБУЗ «ЦРБ Приозёрск»",
    consulting_organization="ГБУЗ «Городская клиническая больница № 1»",
    number="2026-000123",
    urgency="Неотложная",
    received_at="12.03.2026 09:15",
    concluded_at="13.03.2026 14:30",
    patient_name="Иванова Мария Петровна",
    patient_birth_date="05.07.1961",
    patient_snils="112-233-445 95",
    patient_policy="7755 1234 5678 9012",
    question="Просим оценить тактику ведения.\nПоказана ли коронарография?",
    answer="Показана плановая коронарография.\nДо неё продолжить терапию.",
    condition="Состояние средней тяжести, стабильное.",
    diagnosis_code="I25.1",
    diagnosis_text="Атеросклеротическая болезнь сердца; ещё сохраняется ёмкостная нагрузка",
    concomitant="Гипертоническая болезнь III стадии.",
    recommendations_diagnostics="ЭхоКГ, холтеровское мониторирование ЭКГ.",
    recommendations_treatment="Аторвастатин 40 мг на ночь.",
    recommendations_transfer="Перевод в ГКБ № 1 санитарным транспортом.",
    recommendations_in_person="Очная консультация кардиохирурга.",
    documents_reviewed="Выписка из ИЭМК, ЭКГ от 10.03.2026.",
    mode="Отложенная консультация",
    consultant_name="Петров Сергей Николаевич",
    consultant_position="Врач-кардиолог",
    consultant_specialty="Кардиология",
)
FIELDS = [field.name for field in dataclasses.fields(ConclusionContent)]
HEADINGS = [
    "Консультативное заключение",
    "Пациент",
    "Вопрос к консультанту",
    "Ответ на вопрос",
    "Оценка состояния пациента",
    "Основной диагноз (код по МКБ-10)",
    "Сопутствующие заболевания и осложнения",
    "Рекомендации",
    "По дополнительной диагностике",
    "По лечению",
    "По переводу (эвакуации)",
    "По очной консультации",
    "Изученные документы",
    "Форма оказания консультации",
    "Врач-консультант",
]
OPTIONAL_HEADINGS = HEADINGS[4:14]
SIGNATURE_NOTE = "Документ может быть подписан усиленной квалифицированной электронной подписью"


def pdf_pages(data: bytes) -> list[str]:
    return [page.extract_text() for page in pypdf.PdfReader(io.BytesIO(data)).pages]


def flat(text: str) -> str:
    """Whitespace collapsed, since a PDF line may wrap anywhere a space was."""
    return " ".join(text.split())


def pdf_text(data: bytes) -> str:
    return flat(" ".join(pdf_pages(data)))


def docx_paragraphs(data: bytes) -> list[str]:
    return [paragraph.text for paragraph in docx.Document(io.BytesIO(data)).paragraphs]


def docx_text(data: bytes) -> str:
    return flat(" ".join(docx_paragraphs(data)))


def expected_strings(content: ConclusionContent) -> list[str]:
    return [
        f"Направившая медицинская организация: {content.requesting_organization}",
        f"Консультирующая медицинская организация: {content.consulting_organization}",
        f"по заявке № {content.number}",
        f"Срочность: {content.urgency}",
        f"Дата и время поступления заявки: {content.received_at}",
        f"Дата и время заключения: {content.concluded_at}",
        f"ФИО: {content.patient_name}",
        f"Дата рождения: {content.patient_birth_date}",
        f"СНИЛС: {content.patient_snils}",
        f"Полис ОМС: {content.patient_policy}",
        f"{content.diagnosis_code} — {content.diagnosis_text}",
        *(flat(getattr(content, name)) for name in FIELDS[10:]),
        f"Должность: {content.consultant_position}",
        f"Специальность: {content.consultant_specialty}",
        f"Врач-консультант _______________________ / {content.consultant_name} /",
        f"Дата: {content.concluded_at}",
        SIGNATURE_NOTE,
        *HEADINGS,
    ]


# ---------------------------------------------------------------- the documents and what they say


def test_pdf_is_a_pdf_with_every_field_in_russian():
    data = render_pdf(CONTENT)

    assert data.startswith(b"%PDF-")
    text = pdf_text(data)
    for expected in expected_strings(CONTENT):
        assert expected in text
    assert "Атеросклеротическая болезнь сердца; ещё сохраняется ёмкостная нагрузка" in text


def test_pdf_embeds_pt_serif_and_says_so_in_its_metadata():
    reader = pypdf.PdfReader(io.BytesIO(render_pdf(CONTENT)))

    fonts = {str(font.get_object()["/BaseFont"]) for font in reader.pages[0]["/Resources"]["/Font"].values()}
    assert any(name.endswith("+PTSerif-Regular") for name in fonts)
    assert any(name.endswith("+PTSerif-Bold") for name in fonts)
    assert reader.metadata.title == "Консультативное заключение № 2026-000123"
    assert reader.metadata.author == "Петров Сергей Николаевич"


def test_docx_is_a_word_document_with_every_field_in_russian():
    data = render_docx(CONTENT)

    assert data.startswith(b"PK")
    assert "word/document.xml" in zipfile.ZipFile(io.BytesIO(data)).namelist()
    text = docx_text(data)
    for expected in expected_strings(CONTENT):
        assert expected in text


def test_docx_is_a4_in_a_cyrillic_font_marked_russian():
    document = docx.Document(io.BytesIO(render_docx(CONTENT)))

    section = document.sections[0]
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)
    margins = (section.top_margin, section.right_margin, section.bottom_margin, section.left_margin)
    assert [round(margin.mm) for margin in margins] == [20, 10, 20, 20]
    assert document.styles["Normal"].font.name == "Times New Roman"
    assert 'w:val="ru-RU"' in document.styles["Normal"].element.xml
    assert document.core_properties.title == "Консультативное заключение № 2026-000123"
    assert document.core_properties.author == "Петров Сергей Николаевич"


def test_both_documents_put_the_sections_in_the_same_order():
    pdf, word = pdf_text(render_pdf(CONTENT)), docx_text(render_docx(CONTENT))

    for text in (pdf, word):
        positions = [text.index(heading) for heading in HEADINGS]
        assert positions == sorted(positions)


def test_empty_optional_sections_are_left_out_and_empty_fixed_fields_show_a_dash():
    sparse = dataclasses.replace(
        CONTENT,
        **{name: "" for name in FIELDS[12:22]},
        patient_snils="",
        consultant_position="",
    )

    for text in (pdf_text(render_pdf(sparse)), docx_text(render_docx(sparse))):
        for heading in OPTIONAL_HEADINGS:
            assert heading not in text
        assert "Вопрос к консультанту" in text and "Ответ на вопрос" in text
        assert "СНИЛС: —" in text and "Должность: —" in text


def test_only_the_filled_recommendations_are_printed():
    some = dataclasses.replace(CONTENT, recommendations_diagnostics="", recommendations_transfer="")

    for text in (pdf_text(render_pdf(some)), docx_text(render_docx(some))):
        assert "Рекомендации" in text and "По лечению" in text and "По очной консультации" in text
        assert "По дополнительной диагностике" not in text and "По переводу (эвакуации)" not in text


def test_multi_line_text_keeps_its_line_breaks():
    content = dataclasses.replace(CONTENT, answer="Первая строка ответа\r\nВторая строка ответа\nТретья")

    pdf_lines = [line.strip() for line in "\n".join(pdf_pages(render_pdf(content))).splitlines()]
    assert pdf_lines[pdf_lines.index("Первая строка ответа") + 1 : pdf_lines.index("Третья") + 1] == [
        "Вторая строка ответа",
        "Третья",
    ]
    assert "Первая строка ответа\nВторая строка ответа\nТретья" in docx_paragraphs(render_docx(content))


def test_a_long_conclusion_runs_over_numbered_pages():
    paragraph = "Динамика на фоне терапии положительная, ёмкость лёгких не снижена. " * 8
    answer = "\n\n".join(f"{number}. {paragraph}" for number in range(1, 61)) + "\nКонец ответа."
    long = dataclasses.replace(CONTENT, answer=answer, condition="Ё" * 400)

    pages = pdf_pages(render_pdf(long))
    assert len(pages) >= 8
    for number, page in enumerate(pages, start=1):
        assert f"страница {number} из {len(pages)}" in flat(page)
    assert SIGNATURE_NOTE in flat(pages[-1])
    text = flat(" ".join(pages))
    assert text.count("60. Динамика") == 1 and text.count("Конец ответа.") == 1
    assert text.count("Ё") == 400  # the unbreakable word is wrapped, not cut off
    assert "Конец ответа." in docx_text(render_docx(long))


def test_xml_special_and_control_characters_neither_break_nor_reach_the_documents():
    nasty = dataclasses.replace(
        CONTENT,
        answer="a<b && c>d \"q\" 'r' \x00\x01\x08\x0b\x0c\x1b\ufffe\uffff\ud800 конец",
        patient_name="Иванова\x00 Мария\x07 Петровна",
    )

    for text in (pdf_text(render_pdf(nasty)), docx_text(render_docx(nasty))):
        assert "a<b && c>d \"q\" 'r' конец" in text
        assert "ФИО: Иванова Мария Петровна" in text
        assert not re.search("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]", text)


# ---------------------------------------------------------------- hostile input: nothing is fetched

# A real 2×2 PNG and a stylesheet, so that a fetch, had it happened, would have had something to show.
_PNG = io.BytesIO()
Image.new("RGB", (2, 2), "red").save(_PNG, "PNG")
PNG = _PNG.getvalue()


class CountingServer(http.server.ThreadingHTTPServer):
    def __init__(self):
        super().__init__(("127.0.0.1", 0), CountingHandler)
        self.hits: list[str] = []

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"


class CountingHandler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):  # noqa: N802 (http.server's name)
        self.server.hits.append(self.path)
        if not self.path.endswith((".png", ".css")):
            self.send_error(404)
            return
        body, kind = (PNG, "image/png") if self.path.endswith(".png") else (b"body{color:red}", "text/css")
        self.send_response(200)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def server():
    server = CountingServer()
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


class Watch:
    """Every file open and network call Python makes while `recording`; an audit hook cannot be removed,
    so one is installed for the session and switched on and off."""

    NETWORK = ("socket.", "urllib.", "http.", "ftplib.", "smtplib.")

    def __init__(self):
        self.recording = False
        self.opened: list[str] = []
        self.network: list[tuple] = []
        sys.addaudithook(self._hook)

    def _hook(self, event, args):
        if not self.recording:
            return
        if event == "open" and isinstance(args[0], str):
            self.opened.append(args[0])
        elif event.startswith(self.NETWORK):
            self.network.append((event, args))

    def __enter__(self):
        self.opened.clear()
        self.network.clear()
        self.recording = True
        return self

    def __exit__(self, *exc):
        self.recording = False


@pytest.fixture(scope="session")
def watch():
    render_pdf(CONTENT)  # fonts registered and lazy imports done, so a watch sees only the render it wraps
    render_docx(CONTENT)
    return Watch()


FONT_FILES = {str(face.path) for face in FONTS}
DOCX_TEMPLATE = str(Path(docx.__file__).parent / "templates" / "default.docx")  # python-docx's blank document

HOSTILE = [
    '<img src="file:///etc/passwd">',
    '<img src="/etc/passwd"> <img src="../../../../etc/hostname">',
    '<img src="{url}/field.png">',
    '<img src="http://169.254.169.254/latest/meta-data/iam/security-credentials/">',
    '<style>@import url("{url}/import.css");</style>',
    '<link rel="stylesheet" href="{url}/link.css">',
    "<p style=\"background-image: url('{url}/background.png'); font-family: x\">в атрибуте</p>",
    '<style>@font-face {{ font-family: x; src: url("{url}/font.ttf"); }}</style>',
    '<pdf:font name="x" src="/etc/passwd"/><pdf:barcode value="1"/>',
    '</p></div></body></html><img src="{url}/after-close.png">',
    "]]><!-- {{{{ 7*7 }}}} &amp; &lt;b&gt; -->",
]


@pytest.mark.parametrize("payload", HOSTILE)
def test_markup_in_every_field_is_printed_as_text_and_fetches_nothing(payload, server, watch):
    payload = payload.format(url=server.url)
    hostile = ConclusionContent(**{name: payload for name in FIELDS})

    with watch:
        pdf = render_pdf(hostile)
    pdf_opened = set(watch.opened)
    with watch:
        word = render_docx(hostile)

    assert server.hits == []
    assert watch.network == []
    assert pdf_opened <= FONT_FILES
    assert set(watch.opened) <= {DOCX_TEMPLATE}
    for text in (pdf_text(pdf), docx_text(word)):
        assert text.count(flat(payload)) >= len(FIELDS) - 1  # the diagnosis joins two fields in one line
        assert "root:" not in text
    assert all(not page.images for page in pypdf.PdfReader(io.BytesIO(pdf)).pages)


def test_a_value_already_marked_safe_is_still_escaped(server, watch):
    marked = ConclusionContent(**{name: Markup(f'<img src="{server.url}/markup.png">') for name in FIELDS})

    with watch:
        pdf = render_pdf(marked)

    assert server.hits == [] and watch.network == []
    assert f'<img src="{server.url}/markup.png">' in pdf_text(pdf)


def _raw_hostile_html(url: str, local_png: str) -> str:
    return f"""<html><head>
    <style>@import url("{url}/import.css");
    @font-face {{ font-family: remote; src: url("{url}/font.ttf"); }}</style>
    <link rel="stylesheet" href="{url}/link.css"></head>
    <body><p style="background-image: url('{url}/background.png')">visible text</p>
    <img src="{url}/img.png"> <img src="{local_png}"> <img src="file://{local_png}">
    <img src="http://169.254.169.254/latest/meta-data/"> <img src="/etc/passwd">
    </body></html>"""


def test_the_pdf_renderer_itself_refuses_every_resource_but_its_fonts(server, watch, tmp_path):
    # Behind the escaping: even markup that reached the renderer unescaped may fetch nothing.
    local_png = tmp_path / "secret.png"
    local_png.write_bytes(PNG)
    html = _raw_hostile_html(server.url, str(local_png))

    with watch:
        pdf = html_to_pdf(html)

    assert server.hits == []
    assert watch.network == []
    assert set(watch.opened) <= FONT_FILES
    assert all(not page.images for page in pypdf.PdfReader(io.BytesIO(pdf)).pages)
    assert "visible text" in pdf_text(pdf)


def test_the_watch_and_the_server_do_see_an_unrestricted_xhtml2pdf_fetch(server, watch, tmp_path):
    # The control for the two tests above: the same HTML under a permissive policy is caught fetching.
    local_png = tmp_path / "secret.png"
    local_png.write_bytes(PNG)
    html = _raw_hostile_html(server.url, str(local_png)).replace("http://169.254.169.254", server.url)

    with watch:
        pisa.CreatePDF(html, dest=io.BytesIO(), resource_policy=PERMISSIVE_POLICY)

    assert "/img.png" in server.hits
    assert any(event.startswith("socket.") for event, _ in watch.network)
    assert str(local_png) in watch.opened
