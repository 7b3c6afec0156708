"""What a conclusion says, laid out once for both renderers: the header, the sections, the signature."""
import re
from dataclasses import dataclass, fields

TITLE = "Консультативное заключение"
EMPTY = "—"
SIGNATURE_NOTE = (
    "Документ может быть подписан усиленной квалифицированной электронной подписью "
    "врача-консультанта."
)


@dataclass(frozen=True)
class ConclusionContent:
    """Every value is a ready-to-print string, "" when empty; dates are already ДД.ММ.ГГГГ ЧЧ:ММ."""

    requesting_organization: str
    consulting_organization: str
    number: str
    urgency: str
    received_at: str
    concluded_at: str
    patient_name: str
    patient_birth_date: str
    patient_snils: str
    patient_policy: str
    question: str
    answer: str
    condition: str
    diagnosis_code: str
    diagnosis_text: str
    concomitant: str
    recommendations_diagnostics: str
    recommendations_treatment: str
    recommendations_transfer: str
    recommendations_in_person: str
    documents_reviewed: str
    mode: str
    consultant_name: str
    consultant_position: str
    consultant_specialty: str


@dataclass(frozen=True)
class Section:
    """A heading over free text; `parts` are sub-headed texts, as the recommendations have."""

    heading: str
    text: str = ""
    parts: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Layout:
    """The conclusion as both documents print it, every text already cleaned."""

    organizations: tuple[tuple[str, str], ...]
    number: str
    subtitle: str
    request: tuple[tuple[str, str], ...]
    patient: tuple[tuple[str, str], ...]
    sections: tuple[Section, ...]
    consultant: tuple[tuple[str, str], ...]
    consultant_name: str
    signed_at: str


# Characters XML 1.0 cannot hold (C0 controls but tab and newline, lone surrogates, U+FFFE/U+FFFF):
# lxml refuses them in DOCX and they have no glyph in a PDF, so they are dropped for both.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def clean(text: str) -> str:
    """Printable text: one kind of line break, no XML-invalid characters, no blank space around it."""
    # A plain str, whatever came in: a Markup value would pass the template's autoescape unescaped.
    text = str(text).replace("\r\n", "\n").replace("\r", "\n")
    return _NOT_XML.sub("", text).strip()


def layout(content: ConclusionContent) -> Layout:
    """Decide once what is printed and under which Russian heading, so the PDF and DOCX cannot differ."""
    c = ConclusionContent(**{f.name: clean(getattr(content, f.name)) for f in fields(content)})
    return Layout(
        organizations=_rows(
            ("Направившая медицинская организация", c.requesting_organization),
            ("Консультирующая медицинская организация", c.consulting_organization),
        ),
        number=c.number or EMPTY,
        subtitle=f"по заявке № {c.number or EMPTY}",
        request=_rows(
            ("Срочность", c.urgency),
            ("Дата и время поступления заявки", c.received_at),
            ("Дата и время заключения", c.concluded_at),
        ),
        patient=_rows(
            ("ФИО", c.patient_name),
            ("Дата рождения", c.patient_birth_date),
            ("СНИЛС", c.patient_snils),
            ("Полис ОМС", c.patient_policy),
        ),
        sections=_sections(c),
        consultant=_rows(
            ("ФИО", c.consultant_name),
            ("Должность", c.consultant_position),
            ("Специальность", c.consultant_specialty),
        ),
        consultant_name=c.consultant_name or EMPTY,
        signed_at=c.concluded_at or EMPTY,
    )


def _rows(*rows: tuple[str, str]) -> tuple[tuple[str, str], ...]:
    # Fixed fields of the form stay printed when blank, with a dash, so a reader sees they were not filled.
    return tuple((label, value or EMPTY) for label, value in rows)


def _sections(c: ConclusionContent) -> tuple[Section, ...]:
    diagnosis = " — ".join(part for part in (c.diagnosis_code, c.diagnosis_text) if part)
    recommendations = tuple(
        (label, text)
        for label, text in (
            ("По дополнительной диагностике", c.recommendations_diagnostics),
            ("По лечению", c.recommendations_treatment),
            ("По переводу (эвакуации)", c.recommendations_transfer),
            ("По очной консультации", c.recommendations_in_person),
        )
        if text
    )
    # The question and the answer are what a conclusion is; every other section is left out when empty.
    candidates = (
        Section("Вопрос к консультанту", c.question or EMPTY),
        Section("Ответ на вопрос", c.answer or EMPTY),
        Section("Оценка состояния пациента", c.condition),
        Section("Основной диагноз (код по МКБ-10)", diagnosis),
        Section("Сопутствующие заболевания и осложнения", c.concomitant),
        Section("Рекомендации", parts=recommendations),
        Section("Изученные документы", c.documents_reviewed),
        Section("Форма оказания консультации", c.mode),
    )
    return tuple(section for section in candidates if section.text or section.parts)
