"""Checks of identifiers used in Russian healthcare (СНИЛС, полис ОМС, МКБ-10, OID, ids), as plain functions
and WTForms validators: the one place of these format rules for schemas, forms and the workflow."""
import datetime
import re

from flask_babel import lazy_gettext as _l
from wtforms.validators import ValidationError

# [0-9], never \d: \d also takes full-width and Arabic-Indic digits, which would store a visually
# identical second number
OID_RE = re.compile(r"^[0-2](\.(0|[1-9][0-9]*))+$")
SNILS_RE = re.compile(r"[0-9]{11}")
# ids are INTEGER columns: PostgreSQL refuses anything above with an error instead of «not found»
MAX_ID = 2**31 - 1
# the earliest birth date the portal takes
EARLIEST_BIRTH_DATE = datetime.date(1900, 1, 1)
# Syntax only: hospital mail servers often live on intranet domains (*.local) that strict
# validators reject as "special-use".
EMAIL_RE = re.compile(r"^[^@\s]{1,64}@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+$")
ICD10_RE = re.compile(r"^[A-Z][0-9]{2}(\.[0-9]{1,2})?$")
OMS_RE = re.compile(r"^[0-9]{16}$")


def ascii_digits(value: str | None) -> bool:
    """Only 0–9 (str.isdigit also says yes to «²», «１» and «٣», and int() fails on some of them)."""
    return bool(value) and value.isascii() and value.isdigit()


def is_id(value: str | None) -> bool:
    """A string that names a row: ASCII digits within the range of an INTEGER id."""
    return ascii_digits(value) and 1 <= int(value) <= MAX_ID


def birth_date_error(value: datetime.date | None):
    """The message for an impossible birth date, or None."""
    if value is None:
        return None
    if value < EARLIEST_BIRTH_DATE:
        return _l("The birth date cannot be earlier than 1900")
    if value > datetime.date.today():
        return _l("The birth date is in the future")
    return None


def normalize_snils(value: str | None) -> str:
    """'123-456-789 64' → '12345678964'."""
    return re.sub(r"[\s-]", "", value or "")


def snils_checksum_ok(snils: str) -> bool:
    """The Pension Fund rule: weights 9..1 over the first nine digits, modulo 101, 100 → 00.

    Numbers up to 001-001-998 were issued before the rule and carry any check digits.
    """
    if not SNILS_RE.fullmatch(snils):
        return False
    number, control = snils[:9], int(snils[9:])
    if int(number) <= 1001998:
        return True
    total = sum(int(digit) * weight for digit, weight in zip(number, range(9, 0, -1)))
    expected = total % 101
    if expected == 100:
        expected = 0
    return expected == control


def is_icd10(code: str | None) -> bool:
    """An МКБ-10 code such as I21 or I21.0 (upper case, as the workflow normalizes it)."""
    return bool(ICD10_RE.fullmatch(code or ""))


def oms_error(value: str | None):
    """The message for a wrong полис ОМС number, or None."""
    if value and not OMS_RE.fullmatch(value):
        return _l("The OMS policy number has 16 digits")
    return None


def format_snils(snils: str | None) -> str:
    if not snils or len(snils) != 11:
        return snils or ""
    return f"{snils[:3]}-{snils[3:6]}-{snils[6:9]} {snils[9:]}"


def is_valid_oid(value: str | None) -> bool:
    return bool(OID_RE.fullmatch((value or "").strip()))


def snils_error(value: str):
    """The message for a wrong СНИЛС, or None when it is right."""
    snils = normalize_snils(value)
    if not SNILS_RE.fullmatch(snils):
        return _l("SNILS must have 11 digits, e.g. 112-233-445 95")
    if snils[:9] == "000000000":
        return _l("There is no such SNILS: check the digits")
    if not snils_checksum_ok(snils):
        return _l("SNILS check number is wrong: please check the digits")
    return None


class Snils:
    """Form validator: 11 digits (separators allowed) with a correct check number."""

    def __call__(self, form, field) -> None:
        if field.data and (error := snils_error(field.data)):
            raise ValidationError(error)


class BirthDate:
    """Form validator: a birth date from 1900 to today."""

    def __call__(self, form, field) -> None:
        if error := birth_date_error(field.data):
            raise ValidationError(error)


class Oid:
    """Form validator: a dotted OID such as 1.2.643.5.1.13.13.12.2.78.1234."""

    def __call__(self, form, field) -> None:
        if field.data and not is_valid_oid(field.data):
            raise ValidationError(
                _l("Enter the FRMO OID as numbers separated by dots, e.g. 1.2.643.5.1.13.13.12.2.78.1234")
            )


class IntranetEmail:
    """An e-mail address, intranet domains included."""

    def __call__(self, form, field) -> None:
        if not EMAIL_RE.fullmatch((field.data or "").strip()):
            raise ValidationError(_l("Enter a valid e-mail address"))
