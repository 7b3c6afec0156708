"""«Помощь» (manual §2.4): the user guide by page, the FAQ, and the search over both (app/help/); and the
FAQ's administration, for the regional administrator only (app/security/roles.py)."""
from flask import abort, request, url_for
from flask_appbuilder import BaseView, expose, has_access
from flask_appbuilder.fieldwidgets import BS3TextFieldWidget
from flask_appbuilder.models.sqla.interface import SQLAInterface
from flask_appbuilder.security.decorators import permission_name
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from wtforms import IntegerField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange

from app.extensions import db
from app.help import guide
from app.help.markdown import render
from app.help.search import search
from app.models import HelpArticle
from app.schemas.formatting import format_datetime
from app.views.base import TmkModelView

SOURCE_LABELS = {"guide": _l("User guide"), "faq": _l("Questions and answers")}


def _faq() -> list[HelpArticle]:
    return list(db.session.scalars(select(HelpArticle).order_by(HelpArticle.position, HelpArticle.id)))


def _screens() -> str:
    return url_for("static", filename="help/")


class HelpView(BaseView):
    route_base = "/help"
    default_view = "help"
    class_permission_name = "Help"
    base_permissions = ["can_read"]

    @expose("/")
    @has_access
    @permission_name("read")
    def help(self):
        query = request.args.get("q", "").strip()[:200]
        hits = search(db.session, query) if query else None
        return self.render_template(
            "help/index.html", title=_l("Help"), query=query, hits=hits, link=self._link,
            source_labels=SOURCE_LABELS, pages=guide.pages(), faq=_faq(), render=render,
        )

    @expose("/guide/<slug>")
    @has_access
    @permission_name("read")
    def guide(self, slug):
        pages = guide.pages()
        page = guide.page(slug)
        if page is None:
            abort(404)
        index = pages.index(page)
        return self.render_template(
            "help/page.html", title=page.title, page=page, body=page.html(_screens()), pages=pages,
            previous=pages[index - 1] if index else None, following=pages[index + 1] if index + 1 < len(pages) else None,
        )

    @staticmethod
    def _link(hit) -> str:
        if hit.source == "guide":
            slug, _, anchor = hit.key.partition("#")
            return url_for("HelpView.guide", slug=slug) + ("" if anchor == "top" else f"#{anchor}")
        return url_for("HelpView.help") + f"#faq-{hit.key}"


class HelpArticleView(TmkModelView):
    """«Вопросы и ответы» under «Администрирование»: the FAQ shown on /help/, in Markdown."""

    route_base = "/help-articles"
    datamodel = SQLAInterface(HelpArticle)
    list_title = _l("Questions and answers")
    show_title = add_title = edit_title = _l("Question and answer")
    label_columns = {"question": _l("The question"), "answer": _l("Answer"), "position": _l("Order"),
                     "updated_at": _l("Changed")}
    description_columns = {
        "answer": _l("Markdown: **bold**, *italic*, lists, [links](https://…); HTML is shown as text"),
        "position": _l("Questions are shown in ascending order"),
    }
    list_columns = ["position", "question", "updated_at"]
    show_columns = ["question", "answer", "position", "updated_at"]
    add_columns = edit_columns = ["question", "answer", "position"]
    search_columns = ["question", "answer"]
    order_columns = ["position", "question", "updated_at"]
    base_order = ("position", "asc")
    formatters_columns = {"updated_at": format_datetime, "answer": render}
    add_form_extra_fields = edit_form_extra_fields = {
        "answer": TextAreaField(_l("Answer"), validators=[DataRequired(), Length(max=20000)],
                                description=description_columns["answer"],
                                render_kw={"rows": 12, "class": "form-control"}),
        "position": IntegerField(_l("Order"), default=100, validators=[InputRequired(), NumberRange(min=0, max=100000)],
                                 description=description_columns["position"], widget=BS3TextFieldWidget()),
    }
    validators_columns = {"question": [DataRequired(), Length(max=300)]}
