"""What every model view of the portal shares."""
from flask_appbuilder import ModelView
from wtforms import BooleanField


class CheckboxFormsMixin:
    """FAB makes a non-nullable Boolean column InputRequired, so an unticked box fails validation;
    give every Boolean column of the add/edit forms a plain check box with its default instead."""

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


class TmkModelView(CheckboxFormsMixin, ModelView):
    pass
