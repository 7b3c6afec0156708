"""«Документы»: my files with search, preview and download; every document's download and preview
goes through here and through the one rule of app/security/documents.py."""
import datetime

from flask import abort, flash, g, jsonify, request
from flask_appbuilder import BaseView, expose, has_access
from flask_appbuilder.security.decorators import permission_name
from flask_babel import lazy_gettext as _l

from app.documents.library import (
    CONTENT_GROUPS,
    PAGE_SIZE,
    conclusion_archives,
    my_documents,
    size_label,
    type_label,
)
from app.documents.serving import preview_kind, send_document
from app.extensions import db
from app.schemas.dumps import document_json
from app.schemas.identifiers import ascii_digits
from app.security.audit import audit
from app.security.documents import readable_document_or_404


def _date_arg(name: str) -> datetime.date | None:
    """A date of the filter, typed ДД.ММ.ГГГГ (or ГГГГ-ММ-ДД); a wrong one is said and left out."""
    value = request.args.get(name, "").strip()
    if not value:
        return None
    for pattern in ("%d.%m.%Y", "%Y-%m-%d"):
        try:
            return datetime.datetime.strptime(value, pattern).date()
        except ValueError:
            continue
    flash(_l("«%(value)s» is not a date: type it as DD.MM.YYYY", value=value[:20]), "warning")
    return None


def _text_arg(name: str) -> str:
    return request.args.get(name, "").strip()[:100]


class DocumentsView(BaseView):
    route_base = "/documents"
    default_view = "documents"
    class_permission_name = "Documents"
    base_permissions = ["can_read"]

    @expose("/")
    @has_access
    @permission_name("read")
    def documents(self):
        page = request.args.get("page", "0")
        if not ascii_digits(page):
            abort(400)
        filters = dict(search=_text_arg("q"), content_group=_text_arg("type"), date_from=_date_arg("from"),
                       date_to=_date_arg("to"), request_number=_text_arg("request"))
        documents, total, links = my_documents(db.session, g.user, page=int(page), **filters)
        return self.render_template(
            "documents/list.html", title=_l("Documents"), documents=documents, total=total, links=links,
            page=int(page), page_size=PAGE_SIZE, filters=filters, groups=CONTENT_GROUPS,
            type_label=type_label, size_label=size_label, preview_kind=preview_kind,
            archives=conclusion_archives(db.session, [d.id for d in documents]),
        )

    @expose("/mine.json")
    @has_access
    @permission_name("read")
    def picker(self):
        """The chat's «from Документы»: my latest documents, searched by name."""
        documents, total, _links = my_documents(db.session, g.user, search=_text_arg("q"))
        return jsonify(result=[document_json(d) for d in documents], total=total)

    @expose("/<int:document_id>/download")
    @has_access
    @permission_name("read")
    def download(self, document_id):
        document = readable_document_or_404(db.session, g.user, document_id)
        audit(g.user, "download", "document", document.id)
        return send_document(document, inline=False)

    @expose("/<int:document_id>/view")
    @has_access
    @permission_name("read")
    def preview(self, document_id):
        document = readable_document_or_404(db.session, g.user, document_id)
        audit(g.user, "preview", "document", document.id)
        return send_document(document, inline=True)
