"""The conclusion as PDF: an autoescaped HTML template through xhtml2pdf, which may read only its fonts.

Content never turns into markup: every value is escaped by Jinja2's autoescape (MarkupSafe), and
multi-line text is escaped line by line before the <br/> between the lines is added. Behind that,
the render itself may not fetch anything: `_link_callback` hands xhtml2pdf the bundled font files
and an empty data: URI for any other address, and `RESOURCE_POLICY` (xhtml2pdf's own gate, which
also covers the fetches that bypass link_callback) forbids the network and confines file reads to
the font's directory.
"""
import io
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import fontpkg_pt_serif
from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup, escape
from xhtml2pdf import pisa
from xhtml2pdf.config.resources import ResourceAccessPolicy

from app.conclusions.content import SIGNATURE_NOTE, TITLE, ConclusionContent, layout

TEMPLATES = Path(__file__).resolve().parent / "templates"
# An empty inline resource: what link_callback answers for any address but a font. Returning None
# would not refuse anything, xhtml2pdf then keeps the original address.
NOTHING = "data:,"


@dataclass(frozen=True)
class FontFace:
    family: str
    path: Path
    weight: str
    style: str

    @property
    def url(self) -> str:
        return self.path.as_uri()


# PT Serif (ParaType, SIL OFL 1.1, from the fontpkg-pt-serif package): full Cyrillic, ё and №.
_FONT_FILES = fontpkg_pt_serif.ROOT / "files"
FONTS = (
    FontFace("PT Serif", _FONT_FILES / "PT_Serif-Web-Regular.ttf", "normal", "normal"),
    FontFace("PT Serif", _FONT_FILES / "PT_Serif-Web-Bold.ttf", "bold", "normal"),
    FontFace("PT Serif", _FONT_FILES / "PT_Serif-Web-Italic.ttf", "normal", "italic"),
    FontFace("PT Serif", _FONT_FILES / "PT_Serif-Web-BoldItalic.ttf", "bold", "italic"),
)
_FONT_URLS = {face.url: str(face.path) for face in FONTS}

RESOURCE_POLICY = ResourceAccessPolicy.server(
    base_dir=None,  # no document directory: nothing relative may be read
    extra_roots=(_FONT_FILES,),
    allow_remote=False,
    allowed_hosts=frozenset(),
)


def _link_callback(uri: str, _basepath: str | None) -> str:
    return _FONT_URLS.get(uri, NOTHING)


def _lines(text: str) -> Markup:
    """Multi-line text with its line breaks kept, each line escaped before the markup is joined in."""
    return Markup("<br/>").join(escape(line) for line in text.split("\n"))


@cache
def _template():
    # Parsed once per process; FileSystemLoader would otherwise stat the file on every render.
    environment = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(default=True),
        auto_reload=False,
    )
    environment.filters["lines"] = _lines
    return environment.get_template("conclusion.html")


def conclusion_html(content: ConclusionContent) -> str:
    """The HTML the PDF is made from; also what the benchmark hands WeasyPrint as a reference."""
    document = layout(content)
    return _template().render(
        fonts=FONTS,
        title=TITLE,
        author=document.consultant_name,
        signature_note=SIGNATURE_NOTE,
        **vars(document),
    )


def html_to_pdf(html: str) -> bytes:
    """Any HTML to PDF under the conclusion's resource rules; a failed render raises."""
    out = io.BytesIO()
    status = pisa.CreatePDF(
        html,
        dest=out,
        encoding="utf-8",
        link_callback=_link_callback,
        resource_policy=RESOURCE_POLICY,
    )
    if status.err:
        raise RuntimeError(f"xhtml2pdf could not render the conclusion ({status.err} errors)")
    return out.getvalue()


def render_pdf(content: ConclusionContent) -> bytes:
    return html_to_pdf(conclusion_html(content))
