"""The request list's query arguments, read alike by the page (app/views/requests.py) and the API
(app/api/requests.py). A number is ASCII digits within its range — int() and request.args.get(type=int)
would take «１» or «²», or quietly put the default in place of a wrong value — and a wrong one raises
BadListArgument, which both answer with 400. An unknown status or urgency code is no filter."""
from collections.abc import Mapping

from app.models import STATUS_LABELS, URGENCY_LABELS
from app.security.requests import ListFilters
from app.schemas.identifiers import MAX_ID, ascii_digits


class BadListArgument(ValueError):
    pass


def number_arg(args: Mapping[str, str], name: str, default: int | None = None, low: int = 0,
               high: int = MAX_ID) -> int | None:
    """args[name] as a number within low…high; absent or empty, the default."""
    value = args.get(name, "")
    if not value:
        return default
    if not ascii_digits(value) or not low <= int(value) <= high:
        raise BadListArgument(name)
    return int(value)


def list_filters(args: Mapping[str, str]) -> ListFilters:
    """q (number or surname), status, urgency, profile (an id) and closed (1: finished requests)."""
    status, urgency = args.get("status", ""), args.get("urgency", "")
    return ListFilters(
        query=args.get("q", "").strip()[:100],
        status=status if status in STATUS_LABELS else "",
        care_profile_id=number_arg(args, "profile", low=1),
        urgency=urgency if urgency in URGENCY_LABELS else "",
        finished=number_arg(args, "closed", 0) == 1,
    )
