"""«Помощь» (manual §2.4): the questions and answers the regional administrator keeps, and the search index
over them and the user guide (app/help/guide/)."""
import datetime

from flask_appbuilder import Model
from sqlalchemy import DateTime, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.models.requests import utcnow

# Built by migration 0011 for one backend only, so not in the metadata: the SQLite full-text table (FTS5
# makes its own shadow tables, help_search_fts_*) and PostgreSQL's GIN index over the Russian tsvector
SEARCH_FTS_TABLE = "help_search_fts"
SEARCH_GIN_INDEX = "ix_help_search_entry_tsv"


def in_models(name, type_, _parent_names) -> bool:
    """Alembic's include_name: False for the search objects above, which the models do not describe."""
    if type_ == "table":
        return not (name or "").startswith(SEARCH_FTS_TABLE)
    return not (type_ == "index" and name == SEARCH_GIN_INDEX)


class HelpArticle(Model):
    """A question of the FAQ with its answer in Markdown (rendered and sanitised on the help page)."""

    __tablename__ = "help_article"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    question: Mapped[str] = mapped_column(String(300), nullable=False)
    answer: Mapped[str] = mapped_column(Text, nullable=False)
    position: Mapped[int] = mapped_column(Integer, nullable=False, default=100)
    updated_at: Mapped[datetime.datetime] = mapped_column(DateTime, nullable=False, default=utcnow, onupdate=utcnow)

    def __repr__(self) -> str:
        return self.question


class HelpSearchEntry(Model):
    """One searchable piece: a section of the guide or a question of the FAQ, as plain text; kept equal to its
    source by app/help/search.py (``digest`` tells a changed source)."""

    __tablename__ = "help_search_entry"
    __table_args__ = (UniqueConstraint("source", "key", name="uq_help_search_entry"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    source: Mapped[str] = mapped_column(String(10), nullable=False)  # "guide" or "faq"
    key: Mapped[str] = mapped_column(String(200), nullable=False)  # the guide's "page#anchor", the article's id
    title: Mapped[str] = mapped_column(String(300), nullable=False)
    body: Mapped[str] = mapped_column(Text, nullable=False)
    digest: Mapped[str] = mapped_column(String(64), nullable=False)
