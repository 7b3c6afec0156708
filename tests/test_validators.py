import pytest

from app.schemas.identifiers import format_snils, is_valid_oid, normalize_snils, snils_checksum_ok, snils_error


@pytest.mark.parametrize("snils", ["112-233-445 95", "11223344595", "001-001-998 00", "001-001-997 55"])
def test_valid_snils(snils):
    assert snils_checksum_ok(normalize_snils(snils))


@pytest.mark.parametrize("snils", ["112-233-445 96", "11223344594", "12345678900"])
def test_snils_with_a_wrong_check_number(snils):
    assert not snils_checksum_ok(normalize_snils(snils))


@pytest.mark.parametrize(
    "number, weighted_sum, control",
    [
        ("001239570", 99, "99"),  # below 100: the sum itself
        ("001326679", 100, "00"),  # 100 and 101 give 00
        ("001508816", 101, "00"),
        ("001437545", 102, "01"),  # above 101: modulo 101
        ("002894641", 150, "49"),
    ],
)
def test_snils_check_number_rules(number, weighted_sum, control):
    assert sum(int(d) * w for d, w in zip(number, range(9, 0, -1))) == weighted_sum
    assert snils_checksum_ok(number + control)
    wrong = f"{(int(control) + 1) % 100:02d}"
    assert not snils_checksum_ok(number + wrong)


def test_snils_messages_are_russian_and_specific(app):
    with app.test_request_context():
        assert "11 цифр" in str(snils_error("123"))
        assert "контрольное число" in str(snils_error("112-233-445 96"))
        assert snils_error("112-233-445 95") is None


def test_snils_format_round_trip():
    assert format_snils(normalize_snils(" 112 233 445 95 ")) == "112-233-445 95"


@pytest.mark.parametrize("oid", ["1.2.643.5.1.13.13.12.2.78.1234", "2.16.840.1", "0.1"])
def test_valid_oid(oid):
    assert is_valid_oid(oid)


@pytest.mark.parametrize("oid", ["", "1", "1.2.", ".1.2", "1..2", "1.02.3", "3.1.2", "1.2.a", "1,2,643"])
def test_invalid_oid(oid):
    assert not is_valid_oid(oid)
