"""The request list's query arguments, one reading for the page and the API (app/security/list_args.py)."""
import pytest

from app.security.list_args import BadListArgument, list_filters, number_arg


@pytest.mark.parametrize("value", ["x", "-1", "+1", " 1", "1_0", "²", "１０", "٣", "2147483648"])
def test_a_number_is_ascii_digits_in_range(value):
    with pytest.raises(BadListArgument):
        number_arg({"page": value}, "page")


def test_absent_or_empty_is_the_default_and_bounds_hold():
    assert number_arg({}, "page", 0) == 0 and number_arg({"page": ""}, "page", 0) == 0
    assert number_arg({"page_size": "100"}, "page_size", 20, low=1, high=100) == 100
    with pytest.raises(BadListArgument):
        number_arg({"page_size": "0"}, "page_size", 20, low=1, high=100)


def test_filters():
    filters = list_filters({"q": "  Смирнов ", "status": "new", "urgency": "soon", "profile": "3", "closed": "1"})
    assert (filters.query, filters.status, filters.urgency, filters.care_profile_id, filters.finished) == (
        "Смирнов", "new", "", 3, True)
    assert not list_filters({"closed": "0"}).finished
    with pytest.raises(BadListArgument):
        list_filters({"profile": "0"})
