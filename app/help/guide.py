"""The user guide: one Markdown file a page in guide/ (``NN-slug.md``: NN orders them, the first line is
``# Title``), each page cut into its ``##`` sections for the table of contents and the search."""
import functools
import pathlib
import re
from dataclasses import dataclass

from markupsafe import Markup

from app.help.markdown import headings, plain_text, render

GUIDE_DIR = pathlib.Path(__file__).resolve().parent / "guide"


@dataclass(frozen=True)
class Section:
    anchor: str  # the heading's id on its page
    title: str
    text: str  # plain text, for the search


@dataclass(frozen=True)
class Page:
    slug: str
    title: str
    source: str  # Markdown without the title line
    sections: tuple[Section, ...]

    def html(self, image_base: str) -> Markup:
        titled = [section for section in self.sections if section.anchor != "top"]
        ids = {index: section.anchor for (index, _), section in zip(headings(self.source, 2), titled)}
        return render(self.source, image_base=image_base, heading_ids=ids)


def _page(path: pathlib.Path) -> Page:
    title_line, _, source = path.read_text(encoding="utf-8").partition("\n")
    if not title_line.startswith("# "):
        raise ValueError(f"{path.name}: the first line must be «# Title»")
    # "## " starts a section; what precedes the first one is the page's introduction (anchor "top")
    parts = re.split(r"(?m)^## (.+)$", source)
    sections = [Section("top", title_line[2:].strip(), plain_text(parts[0]))] if parts[0].strip() else []
    for number, (title, text) in enumerate(zip(parts[1::2], parts[2::2]), start=1):
        sections.append(Section(f"s{number}", title.strip(), plain_text(text)))
    return Page(re.sub(r"^\d+-", "", path.stem), title_line[2:].strip(), source, tuple(sections))


@functools.cache
def pages() -> tuple[Page, ...]:
    return tuple(_page(path) for path in sorted(GUIDE_DIR.glob("*.md")))


def page(slug: str) -> Page | None:
    return next((p for p in pages() if p.slug == slug), None)
