"""What every model view of the portal shares."""
from flask import abort, redirect, request, url_for
from flask_appbuilder import ModelView
from flask_appbuilder.models.sqla.interface import SQLAInterface
from wtforms import BooleanField
from wtforms.validators import ValidationError

from app.extensions import db
from app.schemas.identifiers import MAX_ID, ascii_digits

MAX_PAGE_SIZE = 100


class PortalViewMixin:
    """Two fixes to FAB's generated views, for every list and form of the portal:

    - FAB makes a non-nullable Boolean column InputRequired, so an unticked box fails validation;
      every Boolean column of the add/edit forms gets a plain check box with its default instead;
    - FAB answers 500 to a list URL with an unknown sort column or a non-numeric page; such a URL
      gets 400 here;
    - after adding a record FAB goes back through its page history, which may be the start page;
      here one always sees the new record in its list.
    """

    def post_add_redirect(self):
        return redirect(url_for(f"{self.endpoint}.list"))

    def _init_forms(self):
        for kind in ("add", "edit"):
            extra = dict(getattr(self, f"{kind}_form_extra_fields") or {})
            for name in getattr(self, f"{kind}_columns") or []:
                if name not in extra and self.datamodel.is_boolean(name):
                    extra[name] = BooleanField(
                        self.label_columns.get(name, name),
                        validators=self.validators_columns.get(name, []),
                        description=self.description_columns.get(name, ""),
                        default=self.datamodel.get_col_default(name),
                    )
            setattr(self, f"{kind}_form_extra_fields", extra)
        super()._init_forms()

    def _list(self, **kwargs):
        view = self.__class__.__name__
        order_column = request.args.get(f"_oc_{view}")
        if order_column is not None and order_column not in self.order_columns:
            abort(400)
        for name, limit in ((f"page_{view}", None), (f"psize_{view}", MAX_PAGE_SIZE)):
            value = request.args.get(name)
            if value is not None and (not ascii_digits(value) or int(value) > (limit or MAX_ID)):
                abort(400)
        return super()._list(**kwargs)


class TmkModelView(PortalViewMixin, ModelView):
    # no file columns here: FAB's /download/<filename> route stays closed
    base_permissions = ["can_list", "can_show", "can_add", "can_edit", "can_delete"]


class UniqueTogether:
    """Form validator for a unique rule over several columns, so the message stands next to the
    field and the form keeps what was typed (FAB's own Unique covers single columns only).

    ``fields`` maps form field names to model columns; FAB sets ``form._id`` when editing.
    """

    def __init__(self, model, fields: dict[str, str], message) -> None:
        self.model, self.fields, self.message = model, fields, message

    def __call__(self, form, field) -> None:
        criteria = {}
        for name, column in self.fields.items():
            value = form[name].data
            if value is None:
                return
            criteria[column] = getattr(value, "id", value)
        query = db.session.query(self.model.id).filter_by(**criteria)
        if getattr(form, "_id", None) is not None:
            query = query.filter(self.model.id != int(form._id))
        if query.first() is not None:
            raise ValidationError(self.message)


class EagerSQLAInterface(SQLAInterface):
    """FAB loads each list row's relations one by one (N+1); these loader options fetch them for the
    whole page in one query per relation."""

    def __init__(self, obj, *options) -> None:
        super().__init__(obj)
        self.eager_options = options

    def apply_all(self, *args, **kwargs):
        return super().apply_all(*args, **kwargs).options(*self.eager_options)
