"""Human-readable request numbers, unique per year: ТМК-2026-000123."""
from sqlalchemy import update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.models import RequestNumber


def next_request_number(session: Session, year: int) -> str:
    """The UPDATE takes the row's write lock first (on PostgreSQL and SQLite alike), so two
    requests made at once never get the same number."""
    for _ in range(3):
        bumped = session.execute(
            update(RequestNumber).where(RequestNumber.year == year).values(last=RequestNumber.last + 1)
        )
        if bumped.rowcount == 1:
            last = session.get(RequestNumber, year, populate_existing=True).last
            return f"ТМК-{year}-{last:06d}"
        try:
            with session.begin_nested():
                session.add(RequestNumber(year=year, last=1))
            return f"ТМК-{year}-{1:06d}"
        except IntegrityError:  # another request started the year at the same moment
            continue
    raise RuntimeError("could not issue a request number")
