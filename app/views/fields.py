"""Form fields shared by the portal's views."""
from flask_babel import lazy_gettext as _l
from wtforms import DateField, StringField, widgets

from app.schemas.identifiers import Snils, format_snils, normalize_snils

DATE_FORMAT = "%d.%m.%Y"


class PlaceholderTextWidget(widgets.TextInput):
    """A Bootstrap text input that shows the expected format as its placeholder."""

    def __init__(self, placeholder) -> None:
        super().__init__()
        self.placeholder = placeholder

    def __call__(self, field, **kwargs):
        kwargs["class"] = "form-control"
        kwargs["placeholder"] = str(self.placeholder)
        return super().__call__(field, **kwargs)


class SnilsField(StringField):
    """Accepts «123-456-789 64» or «12345678964»; the form (and so the database) sees 11 digits."""

    def __init__(self, label=None, validators=(), **kwargs):
        kwargs.setdefault("widget", PlaceholderTextWidget("123-456-789 64"))
        super().__init__(label or _l("SNILS"), [*validators, Snils()], **kwargs)

    def process_formdata(self, valuelist):
        super().process_formdata(valuelist)
        self.data = normalize_snils(self.data) or None

    def _value(self):
        return format_snils(self.data)


def ru_date_field(label, validators=(), **kwargs) -> DateField:
    """Required dates take InputRequired: DataRequired would hide «wrong date» behind «required»."""
    return DateField(
        label,
        validators=list(validators),
        format=DATE_FORMAT,
        widget=PlaceholderTextWidget(_l("DD.MM.YYYY")),
        **kwargs,
    )
