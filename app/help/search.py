"""The search of «Помощь» over the guide's sections and the FAQ, with Russian morphology.

Both databases see the same rows, ``help_search_entry`` (kept equal to the guide and the FAQ by sync_index()),
and the same query: every word of it stemmed by Snowball's Russian stemmer (English for Latin words), as
PostgreSQL's ``russian`` configuration does. A word matches an indexed word whose stem begins with the query's
stem («подписи» → подпис: подписать → подписа) or is a shorter beginning of it, down to four letters
(подпись → подп), and all words of the query must match.

- PostgreSQL: ``to_tsvector('russian', title || ' ' || body)`` under a GIN index (migration 0011), ranked by
  ts_rank with the title weighted above the body and long texts damped (normalisation 1, as bm25 does);
- SQLite: an FTS5 table of the entries' stemmed words (the stemming done here, at index and at query time),
  ranked by bm25.

The hits are highlighted here, in the original text, for both: escaped, the matching words in <mark>."""
import hashlib
import re
from dataclasses import dataclass

import snowballstemmer
from markupsafe import Markup, escape
from sqlalchemy import select, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.help.guide import pages
from app.help.markdown import plain_text
from app.models.help import SEARCH_FTS_TABLE, HelpArticle, HelpSearchEntry

MIN_PREFIX = 4  # the shortest beginning of a stem that still counts as the same word
MAX_WORDS = 8
MAX_HITS = 50
SNIPPET = 220  # characters of the text around the first match

WORD = re.compile(r"[^\W_]+")
_RUSSIAN = snowballstemmer.stemmer("russian")
_ENGLISH = snowballstemmer.stemmer("english")
# Snowball's Russian stop words, the list PostgreSQL's `russian` configuration leaves out of its tsvector
STOP_WORDS = frozenset("""
и в во не что он на я с со как а то все она так его но да ты к у же вы за бы по только ее мне было вот от
меня еще нет о из ему теперь когда даже ну вдруг ли если уже или ни быть был него до вас нибудь опять уж вам
ведь там потом себя ничего ей может они тут где есть надо ней для мы тебя их чем была сам чтоб без будто чего
раз тоже себе под будет ж тогда кто этот того потому этого какой совсем ним здесь этом один почти мой тем
чтобы нее сейчас были куда зачем всех никогда можно при наконец два об другой хоть после над больше тот через
эти нас про всего них какая много разве три эту моя впрочем хорошо свою этой перед иногда лучше чуть том
нельзя такой им более всегда конечно всю между""".split())


def stem(word: str) -> str:
    word = word.lower().replace("ё", "е")
    if word.isdigit():
        return word
    return (_ENGLISH if word.isascii() else _RUSSIAN).stemWord(word)


def stems(value: str) -> str:
    """The indexed form of a text (SQLite): its words' stems, stop words left out."""
    return " ".join(stem(word) for word in WORD.findall(value) if word.lower().replace("ё", "е") not in STOP_WORDS)


@dataclass(frozen=True)
class Term:
    prefix: str  # an indexed stem beginning with it matches
    shorter: tuple[str, ...]  # an indexed stem equal to one of these matches

    def matches(self, word: str) -> bool:
        found = stem(word)
        return found.startswith(self.prefix) or found in self.shorter


def query_terms(query: str) -> list[Term]:
    """The query's words as terms; [] when it has no word to look for (empty, punctuation, stop words)."""
    terms = []
    for word in WORD.findall(query[:200]):
        if len(word) < 2 or word.lower().replace("ё", "е") in STOP_WORDS:
            continue
        found = stem(word)
        term = Term(found, tuple(found[:length] for length in range(MIN_PREFIX, len(found))))
        if term not in terms:
            terms.append(term)
    return terms[:MAX_WORDS]


# ---- the index: the guide's sections and the FAQ's articles as rows of help_search_entry


def _sources(session: Session) -> dict[tuple[str, str], tuple[str, str]]:
    wanted = {}
    for page in pages():
        for section in page.sections:
            wanted[("guide", f"{page.slug}#{section.anchor}")] = (section.title, section.text)
    for article in session.scalars(select(HelpArticle)):
        wanted[("faq", str(article.id))] = (article.question, plain_text(article.answer))
    return wanted


def _digest(title: str, body: str) -> str:
    return hashlib.sha256(f"{title}\0{body}".encode()).hexdigest()


def sync_index(session: Session) -> int:
    """Make help_search_entry (and on SQLite its FTS5 table) equal to the guide and the FAQ; returns how many
    entries changed. Cheap when nothing did: it compares digests. Another process doing the same at the
    same moment wins; this one then searches what that one wrote."""
    sqlite = session.get_bind().dialect.name == "sqlite"
    stored = {(e.source, e.key): e for e in session.scalars(select(HelpSearchEntry))}
    wanted = _sources(session)
    changed = 0
    for place, entry in stored.items():
        if place not in wanted or entry.digest != _digest(*wanted[place]):
            if sqlite:
                session.execute(text(f"DELETE FROM {SEARCH_FTS_TABLE} WHERE rowid = :id"), {"id": entry.id})
            session.delete(entry)
            changed += 1
    session.flush()
    for (source, key), (title, body) in wanted.items():
        entry = stored.get((source, key))
        if entry is not None and entry.digest == _digest(title, body):
            continue
        entry = HelpSearchEntry(source=source, key=key, title=title[:300], body=body, digest=_digest(title, body))
        session.add(entry)
        session.flush()
        if sqlite:
            session.execute(text(f"INSERT INTO {SEARCH_FTS_TABLE} (rowid, title, body) VALUES (:id, :title, :body)"),
                            {"id": entry.id, "title": stems(title), "body": stems(body)})
        changed += 1
    try:
        session.commit()
    except IntegrityError:
        session.rollback()
    return changed


# ---- the search


@dataclass(frozen=True)
class Hit:
    source: str  # "guide" or "faq"
    key: str
    title: Markup
    snippet: Markup


def _ranked_ids(session: Session, terms: list[Term]) -> list[int]:
    if session.get_bind().dialect.name == "postgresql":
        query = " & ".join("(" + " | ".join([f"'{t.prefix}':*", *(f"'{s}'" for s in t.shorter)]) + ")"
                           for t in terms)
        rows = session.execute(text(
            "SELECT id FROM help_search_entry, to_tsquery('simple', :query) AS q "
            "WHERE to_tsvector('russian', title || ' ' || body) @@ q "
            "ORDER BY ts_rank(setweight(to_tsvector('russian', title), 'A') || to_tsvector('russian', body), q, 1) DESC, "
            "id LIMIT :limit"), {"query": query, "limit": MAX_HITS})
    else:
        query = " AND ".join("(" + " OR ".join([f'"{t.prefix}"*', *(f'"{s}"' for s in t.shorter)]) + ")"
                             for t in terms)
        rows = session.execute(text(
            f"SELECT rowid FROM {SEARCH_FTS_TABLE} WHERE {SEARCH_FTS_TABLE} MATCH :query "
            f"ORDER BY bm25({SEARCH_FTS_TABLE}, 5.0, 1.0), rowid LIMIT :limit"), {"query": query, "limit": MAX_HITS})
    return [row[0] for row in rows]


def search(session: Session, query: str) -> list[Hit] | None:
    """The hits for ``query``, best first; None when the query has no word to look for."""
    terms = query_terms(query)
    if not terms:
        return None
    sync_index(session)
    ids = _ranked_ids(session, terms)
    entries = {e.id: e for e in session.scalars(select(HelpSearchEntry).where(HelpSearchEntry.id.in_(ids)))}
    return [Hit(entries[i].source, entries[i].key, highlight(entries[i].title, terms),
                highlight(entries[i].body, terms, SNIPPET)) for i in ids if i in entries]


def highlight(value: str, terms: list[Term], length: int | None = None) -> Markup:
    """``value`` escaped, its words that match a term in <mark>; with ``length``, only about that many
    characters around the first match, cut at words, with «…» where cut."""
    words = [m for m in WORD.finditer(value) if any(t.matches(m.group()) for t in terms)]
    start, end = 0, len(value)
    if length is not None and len(value) > length:
        first = words[0].start() if words else 0
        start = max(0, first - length // 3)
        start = start if start == 0 else value.find(" ", start) + 1
        end = min(len(value), start + length)
        end = end if end == len(value) else (value.rfind(" ", start, end) if " " in value[start:end] else end)
    out, position = [], start
    for match in words:
        if match.start() < start or match.end() > end:
            continue
        out.append(escape(value[position:match.start()]))
        out.append(Markup("<mark>%s</mark>") % match.group())
        position = match.end()
    out.append(escape(value[position:end]))
    return Markup("%s%s%s") % ("…" if start else "", Markup("").join(out), "…" if end < len(value) else "")
