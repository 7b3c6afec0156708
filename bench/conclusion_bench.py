"""Benchmark of the conclusion renderers (app/conclusions). Not a test: nothing fails, it prints a table.

    python bench/conclusion_bench.py               # 30 timed renders of each kind: ~1 min
    python bench/conclusion_bench.py --repeat 5    # a quick look

Prints the median time to render a 1-page and a 10-page conclusion to PDF (xhtml2pdf) and to DOCX
(python-docx), and, as a reference, the same HTML through WeasyPrint in the same run. Targets:
1 page PDF + DOCX ≤ 300 ms, 10 pages PDF + DOCX ≤ 2 s. WeasyPrint is a bench-only dependency
(`pip install weasyprint`, which needs Debian's libpango-1.0-0 and libpangoft2-1.0-0); without it the
reference row says why it is missing. WeasyPrint ignores xhtml2pdf's footer frame and page-number
tags, so it lays out the same text without the running footer. Each kind is rendered once before it
is timed (fonts registered, template parsed): the figures are those of a warm worker.
"""
import argparse
import dataclasses
import io
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import pypdf  # noqa: E402

from app.conclusions.render import ConclusionContent, render_docx, render_pdf  # noqa: E402
from app.conclusions.render_pdf import FONTS, conclusion_html  # noqa: E402

TARGETS = {"1 page": 0.300, "10 pages": 2.0}  # seconds for PDF + DOCX together

ONE_PAGE = ConclusionContent(
    requesting_organization="ГБУЗ «Центральная районная больница г. Приозёрск»",
    consulting_organization="ГБУЗ «Городская клиническая больница № 1»",
    number="2026-000123",
    urgency="Плановая",
    received_at="12.03.2026 09:15",
    concluded_at="13.03.2026 14:30",
    patient_name="Иванова Мария Петровна",
    patient_birth_date="05.07.1961",
    patient_snils="112-233-445 95",
    patient_policy="7755 1234 5678 9012",
    question="Просим оценить тактику ведения и показания к коронарографии.",
    answer="Показана плановая коронарография. До неё продолжить назначенную терапию.",
    condition="Состояние средней тяжести, стабильное.",
    diagnosis_code="I25.1",
    diagnosis_text="Атеросклеротическая болезнь сердца",
    concomitant="Гипертоническая болезнь III стадии.",
    recommendations_diagnostics="ЭхоКГ, холтеровское мониторирование ЭКГ.",
    recommendations_treatment="Аторвастатин 40 мг на ночь, бисопролол 5 мг утром.",
    recommendations_transfer="",
    recommendations_in_person="",
    documents_reviewed="Выписка из ИЭМК, ЭКГ от 10.03.2026.",
    mode="Отложенная консультация",
    consultant_name="Петров Сергей Николаевич",
    consultant_position="Врач-кардиолог",
    consultant_specialty="Кардиология",
)
PARAGRAPH = (
    "На фоне проводимой терапии отмечается положительная динамика: ангинозные приступы стали реже, "
    "толерантность к нагрузке возросла, по данным ЭКГ ишемических изменений не выявлено. "
) * 3


def ten_pages() -> ConclusionContent:
    # 46 paragraphs of this length in the answer come to 10 pages with the rest of the form.
    answer = "\n\n".join(f"{number}. {PARAGRAPH}" for number in range(1, 47))
    return dataclasses.replace(ONE_PAGE, answer=answer)


def median_seconds(render, content, repeat: int) -> tuple[float, bytes]:
    output = render(content)  # warm-up, untimed
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        output = render(content)
        times.append(time.perf_counter() - start)
    return statistics.median(times), output


def page_count(pdf: bytes) -> int:
    return len(pypdf.PdfReader(io.BytesIO(pdf)).pages)


def weasyprint_renderer():
    """WeasyPrint's render of the same HTML, or the reason it cannot be had here."""
    try:
        import weasyprint
    except (ImportError, OSError) as exc:  # OSError: the pango libraries are missing
        return None, f"{type(exc).__name__}: {str(exc).splitlines()[0]}"
    fonts = {face.url for face in FONTS}

    def fetch_fonts_only(url, *args, **kwargs):
        # The same rule as the xhtml2pdf render: the bundled fonts and nothing else.
        if url not in fonts:
            raise ValueError(f"refused: {url[:80]}")
        return weasyprint.default_url_fetcher(url, *args, **kwargs)

    def render(content):
        return weasyprint.HTML(string=conclusion_html(content), url_fetcher=fetch_fonts_only).write_pdf()

    return render, f"WeasyPrint {weasyprint.__version__}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=30, help="timed renders of each kind")
    args = parser.parse_args()
    weasy, weasy_name = weasyprint_renderer()

    print(f"load average {os.getloadavg()[0]:.2f}, median of {args.repeat} renders each")
    print(f"{'content':<10}{'pages':>6}{'PDF':>10}{'DOCX':>10}{'PDF+DOCX':>10}{'target':>9}  result")
    references = []
    for name, content in (("1 page", ONE_PAGE), ("10 pages", ten_pages())):
        pdf_time, pdf = median_seconds(render_pdf, content, args.repeat)
        docx_time, _ = median_seconds(render_docx, content, args.repeat)
        total, target = pdf_time + docx_time, TARGETS[name]
        verdict = "ok" if total <= target else "MISSED"
        print(
            f"{name:<10}{page_count(pdf):>6}{_ms(pdf_time):>10}{_ms(docx_time):>10}"
            f"{_ms(total):>10}{_ms(target):>9}  {verdict}"
        )
        if weasy is not None:
            weasy_time, weasy_pdf = median_seconds(weasy, content, args.repeat)
            references.append(f"{name:<10}{page_count(weasy_pdf):>6}{_ms(weasy_time):>10}")
    if weasy is None:
        print(f"\nReference unavailable, WeasyPrint cannot be imported: {weasy_name}")
    else:
        print(f"\nReference: the same HTML to PDF through {weasy_name}")
        print("\n".join(references))


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:.0f} ms"


if __name__ == "__main__":
    main()
