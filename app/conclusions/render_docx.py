"""The conclusion as DOCX: the same layout as the PDF, written as plain text runs with python-docx.

Text only ever goes into runs (`Run.text` turns "\\n" into a line break), never into XML, so markup
in the content stays text; characters XML cannot hold were already dropped by `content.clean`.
"""
import io

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

from app.conclusions.content import SIGNATURE_NOTE, TITLE, ConclusionContent, Layout, layout

# Times New Roman is on every Windows and LibreOffice machine a hospital has, with full Cyrillic;
# a DOCX cannot count on PT Serif being installed where it is opened.
FONT = "Times New Roman"
BODY_SIZE = Pt(12)


def render_docx(content: ConclusionContent) -> bytes:
    document = layout(content)
    docx = Document()
    _set_up_page(docx)
    _set_up_styles(docx)
    _set_properties(docx, document)
    _write(docx, document)
    out = io.BytesIO()
    docx.save(out)
    return out.getvalue()


def _set_up_page(docx) -> None:
    # A4 with the margins of ГОСТ Р 7.0.97-2016, the same as the PDF's.
    section = docx.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(20), Mm(20)
    section.left_margin, section.right_margin = Mm(20), Mm(10)


def _set_up_styles(docx) -> None:
    for name in ("Normal", "Title", "Heading 1", "Heading 2"):
        style = docx.styles[name]
        style.font.name = FONT
        style.font.color.rgb = None
        fonts = style.element.get_or_add_rPr().get_or_add_rFonts()
        # python-docx sets only ascii/hAnsi; the theme fonts of the default template would still win
        # for the other ranges and in some Word versions for Cyrillic, so every slot is named.
        for slot in ("w:eastAsia", "w:cs"):
            fonts.set(qn(slot), FONT)
        for theme_slot in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
            fonts.attrib.pop(qn(theme_slot), None)
    normal = docx.styles["Normal"]
    normal.font.size = BODY_SIZE
    normal.paragraph_format.space_after = Pt(1)
    normal.paragraph_format.line_spacing = 1.0
    _language(normal, "ru-RU")
    title = docx.styles["Title"]
    title.font.size, title.font.bold = Pt(15), True
    title.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
    title.paragraph_format.space_after = Pt(0)
    _drop_border(title)
    for name, size, italic in (("Heading 1", Pt(12), False), ("Heading 2", Pt(12), True)):
        heading = docx.styles[name]
        heading.font.size, heading.font.bold, heading.font.italic = size, not italic, italic
        heading.paragraph_format.space_before = Pt(6 if name == "Heading 1" else 3)
        heading.paragraph_format.space_after = Pt(1)


def _language(style, language: str) -> None:
    # So Word spell-checks the conclusion as Russian rather than as the template's English.
    rpr = style.element.get_or_add_rPr()
    lang = rpr.find(qn("w:lang"))
    if lang is None:
        lang = rpr.makeelement(qn("w:lang"), {})
        rpr.append(lang)
    lang.set(qn("w:val"), language)


def _drop_border(style) -> None:
    # The default template's Title has a blue rule under it; an official document has none.
    ppr = style.element.get_or_add_pPr()
    for border in ppr.findall(qn("w:pBdr")):
        ppr.remove(border)


def _set_properties(docx, document: Layout) -> None:
    properties = docx.core_properties
    properties.title = f"{TITLE} № {document.number}"
    properties.author = properties.last_modified_by = document.consultant_name
    properties.comments = properties.keywords = properties.subject = ""


def _write(docx, document: Layout) -> None:
    for label, value in document.organizations:
        _labelled(docx, label, value, size=Pt(11))
    docx.add_paragraph(TITLE, style="Title").paragraph_format.space_before = Pt(10)
    subtitle = docx.add_paragraph(document.subtitle)
    subtitle.alignment = WD_ALIGN_PARAGRAPH.CENTER
    subtitle.paragraph_format.space_after = Pt(8)
    for label, value in document.request:
        _labelled(docx, label, value)
    _heading(docx, "Пациент")
    for label, value in document.patient:
        _labelled(docx, label, value)
    for section in document.sections:
        _heading(docx, section.heading)
        if section.text:
            docx.add_paragraph(section.text)
        for label, text in section.parts:
            _heading(docx, label, level=2)
            docx.add_paragraph(text)
    _heading(docx, "Врач-консультант")
    # The consultant and the signature line stay on one page, as in the PDF.
    for label, value in document.consultant:
        _labelled(docx, label, value).paragraph_format.keep_with_next = True
    _signature(docx, document)


def _heading(docx, text: str, level: int = 1) -> None:
    docx.add_paragraph(text, style=f"Heading {level}")


def _labelled(docx, label: str, value: str, size=None):
    paragraph = docx.add_paragraph()
    paragraph.add_run(f"{label}: ").bold = True
    paragraph.add_run(value)
    if size is not None:
        for run in paragraph.runs:
            run.font.size = size
    return paragraph


def _signature(docx, document: Layout) -> None:
    line = docx.add_paragraph(f"Врач-консультант _______________________ / {document.consultant_name} /")
    line.paragraph_format.space_before = Pt(18)
    line.paragraph_format.keep_with_next = True
    docx.add_paragraph(f"Дата: {document.signed_at}").paragraph_format.keep_with_next = True
    note = docx.add_paragraph()
    note.add_run(SIGNATURE_NOTE).font.size = Pt(10)
