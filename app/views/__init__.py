"""Registers every view and the menu in the order of the manual (§2.2)."""
from flask_appbuilder import AppBuilder
from flask_babel import lazy_gettext as _l

from app.views.admin import (
    CareProfileView,
    DepartmentView,
    MedicalOrganizationView,
    RouteView,
    UrgencyRuleView,
)
from app.views.users import UserDirectoryView

ADMIN = "Administration"


def register_views(appbuilder: AppBuilder) -> None:
    appbuilder.add_view(UserDirectoryView, "Users directory", label=_l("Users"), icon="fa-users")

    admin = {"category": ADMIN, "category_label": _l("Administration"), "category_icon": "fa-cogs"}
    appbuilder.add_view(MedicalOrganizationView, "Medical organizations", label=_l("Medical organizations"),
                        icon="fa-hospital", **admin)
    appbuilder.add_view(DepartmentView, "Departments", label=_l("Departments"), icon="fa-sitemap", **admin)
    appbuilder.add_view(CareProfileView, "Care profiles", label=_l("Care profiles"), icon="fa-stethoscope",
                        **admin)
    appbuilder.add_view(RouteView, "Routes", label=_l("Routes"), icon="fa-route", **admin)
    appbuilder.add_view(UrgencyRuleView, "Urgency rules", label=_l("Urgency rules"), icon="fa-clock", **admin)
    # the security manager registered «Учётные записи» first; the manual's tabs come before administration
    appbuilder.menu.menu.sort(key=lambda item: item.name == ADMIN)
