"""Checks of identifiers used in Russian healthcare, as plain functions and WTForms validators."""
import re

from flask_babel import lazy_gettext as _l
from wtforms.validators import ValidationError

OID_RE = re.compile(r"^[0-2](\.(0|[1-9]\d*))+$")
# Syntax only: hospital mail servers often live on intranet domains (*.local) that strict
# validators reject as "special-use".
EMAIL_RE = re.compile(r"^[^@\s]{1,64}@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+$")


def normalize_snils(value: str | None) -> str:
    """'123-456-789 64' → '12345678964'."""
    return re.sub(r"[\s-]", "", value or "")


def snils_checksum_ok(snils: str) -> bool:
    """The Pension Fund rule: weights 9..1 over the first nine digits, modulo 101, 100 → 00.

    Numbers up to 001-001-998 were issued before the rule and carry any check digits.
    """
    if not re.fullmatch(r"\d{11}", snils):
        return False
    number, control = snils[:9], int(snils[9:])
    if int(number) <= 1001998:
        return True
    total = sum(int(digit) * weight for digit, weight in zip(number, range(9, 0, -1)))
    expected = total % 101
    if expected == 100:
        expected = 0
    return expected == control


def format_snils(snils: str | None) -> str:
    if not snils or len(snils) != 11:
        return snils or ""
    return f"{snils[:3]}-{snils[3:6]}-{snils[6:9]} {snils[9:]}"


def is_valid_oid(value: str | None) -> bool:
    return bool(OID_RE.fullmatch((value or "").strip()))


def snils_error(value: str):
    """The message for a wrong СНИЛС, or None when it is right."""
    snils = normalize_snils(value)
    if not re.fullmatch(r"\d{11}", snils):
        return _l("SNILS must have 11 digits, e.g. 112-233-445 95")
    if not snils_checksum_ok(snils):
        return _l("SNILS check number is wrong: please check the digits")
    return None


class Snils:
    """Form validator: 11 digits (separators allowed) with a correct check number."""

    def __call__(self, form, field) -> None:
        if field.data and (error := snils_error(field.data)):
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
