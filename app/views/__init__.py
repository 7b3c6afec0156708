"""Registers every view and the menu in the order of the manual (§2.2); administration is one dropdown."""
from flask import current_app
from flask_appbuilder import AppBuilder
from flask_babel import lazy_gettext as _l

from app.security.login_limits import limit_password_checks
from app.security.roles import ADMIN_MENU
from app.views.admin import (
    CareProfileView,
    DepartmentView,
    MedicalOrganizationView,
    RouteView,
    UrgencyRuleView,
)
from app.views.conclusions import ConclusionView
from app.views.documents import DocumentsView
from app.views.equipment import EquipmentView
from app.views.help import HelpArticleView, HelpView
from app.views.messages import MessagesView
from app.views.notifications import NotificationsView, unread_notifications
from app.views.patient_mismatches import PatientMismatchView
from app.views.profile import ProfileView, avatar_html
from app.views.request_form import RequestFormView
from app.views.requests import TAB_TITLES, RequestsView
from app.views.undelivered_mail import UndeliveredMailView
from app.views.users import UserDirectoryView
from app.views.video import VideoView
from app.video.calls import call_offer
from app.workflow.rules import allowed_conclusion_actions


# menu name (its permission) → tab, in the manual's order (§2.2)
REQUEST_TABS = {
    "All requests": "all",
    "Available requests": "available",
    "Requests in work": "in_work",
    "Outgoing requests": "outgoing",
    "Draft requests": "drafts",
}
TAB_ICONS = {"all": "fa-list", "available": "fa-inbox", "in_work": "fa-stethoscope", "outgoing": "fa-paper-plane",
             "drafts": "fa-file-o"}


def register_views(appbuilder: AppBuilder) -> None:
    appbuilder.add_view(MessagesView, "Messages", label=_l("Messages"), icon="fa-comments")
    appbuilder.add_view_no_menu(RequestsView)
    appbuilder.add_view_no_menu(ConclusionView)
    appbuilder.add_view_no_menu(VideoView)
    # the request page asks which of «Сформировать», «Подписать», «Загрузить заключение» to offer
    current_app.jinja_env.globals["conclusion_actions"] = allowed_conclusion_actions
    # the chat's call buttons (templates/video/_call_buttons.html), on the request page and in the room
    current_app.jinja_env.globals["call_offer"] = call_offer
    appbuilder.add_view_no_menu(NotificationsView)
    current_app.jinja_env.globals["unread_notifications"] = unread_notifications
    appbuilder.add_view_no_menu(RequestFormView)
    for name, tab in REQUEST_TABS.items():
        appbuilder.add_link(name, href=f"/requests/{tab}/", label=TAB_TITLES[tab], icon=TAB_ICONS[tab])
    profile = appbuilder.add_view_no_menu(ProfileView)
    if appbuilder.sm.is_auth_limited:  # «Доступ» asks for the current password: the login's budget
        limit_password_checks(appbuilder.sm.limiter, profile.blueprint, "ProfileView.save_access")
    appbuilder.add_view_no_menu(EquipmentView)  # «Проверка оборудования», linked from «Доступ» and the video block
    current_app.jinja_env.globals["avatar_html"] = avatar_html  # a user's photo or initials, on any page
    appbuilder.add_view(UserDirectoryView, "Users directory", label=_l("Users"), icon="fa-users")
    appbuilder.add_view(DocumentsView, "Documents", label=_l("Documents"), icon="fa-folder-open")
    # «Помощь» (manual §2.4) is beside the bell at the top right (templates/appbuilder/navbar_right.html): as a
    # labelled entry the regional administrator's menu no longer fitted one row below 1366 px
    appbuilder.add_view_no_menu(HelpView)

    admin = {"category": ADMIN_MENU, "category_label": _l("Administration"), "category_icon": "fa-cogs"}
    appbuilder.add_view(MedicalOrganizationView, "Medical organizations", label=_l("Medical organizations"),
                        icon="fa-hospital", **admin)
    appbuilder.add_view(DepartmentView, "Departments", label=_l("Departments"), icon="fa-sitemap", **admin)
    appbuilder.add_view(CareProfileView, "Care profiles", label=_l("Care profiles"), icon="fa-stethoscope",
                        **admin)
    appbuilder.add_view(RouteView, "Routes", label=_l("Routes"), icon="fa-route", **admin)
    appbuilder.add_view(UrgencyRuleView, "Urgency rules", label=_l("Urgency rules"), icon="fa-clock", **admin)
    appbuilder.add_view(PatientMismatchView, "Patient mismatches", label=_l("Patient data mismatches"),
                        icon="fa-user-times", **admin)
    appbuilder.add_view(UndeliveredMailView, "Undelivered mail", label=_l("Undelivered e-mail"),
                        icon="fa-envelope", **admin)
    appbuilder.add_view(HelpArticleView, "Help articles", label=_l("Questions and answers"),
                        icon="fa-question-circle", **admin)
    # the security manager registered «Учётные записи» first; the manual's tabs come before administration
    appbuilder.menu.menu.sort(key=lambda item: item.name == ADMIN_MENU)
