"""The own profile (manual §4.1–4.2) as tabs, each its own address: /profile/info, /profile/photo,
/profile/access, /profile/contacts, /profile/notifications. A tab's form is loaded through its schema
(app/schemas/profile.py); saving stays on the tab and says «Сохранено»."""
from flask import abort, flash, g, redirect, request, send_file, url_for
from flask_appbuilder import BaseView, expose, has_access
from flask_appbuilder.security.decorators import permission_name
from flask_babel import lazy_gettext as _l
from markupsafe import Markup
from marshmallow import ValidationError

from app.core.errors import InvalidInput
from app.documents.photos import MAX_PHOTO_BYTES, MAX_ZOOM, PHOTO_SIZE, photo_path_of, remove_photo, set_photo
from app.extensions import db
from app.models import TmkUser
from app.models.users import EMAIL_EVENT_GROUPS, Avatar
from app.schemas.base import flat_messages
from app.schemas.identifiers import format_snils
from app.schemas.profile import ContactsSchema, InfoSchema, NotificationsSchema, PasswordSchema, PhotoSquareSchema
from app.security.accounts import snils_taken
from app.security.login_limits import count_wrong_password
from app.security.passwords import MIN_LENGTH, own_password_change_problems
from app.security.sessions import current_session_id, end_session, open_session_of, open_sessions

TABS = {
    "info": (_l("Information"), "fa-id-card-o"),
    "photo": (_l("Images"), "fa-camera"),
    "access": (_l("Access"), "fa-key"),
    "contacts": (_l("Contacts"), "fa-address-book-o"),
    "notifications": (_l("Notification settings"), "fa-bell-o"),
}
EVENT_LABELS = {
    "incoming": _l("New, approved, assigned and transferred requests"),
    "taken": _l("A request taken into work"),
    "information": _l("Additional information requested or provided"),
    "declined": _l("Refusals, rejections and cancellations"),
    "completed": _l("Completed consultations"),
    "deadlines": _l("Deadlines near or passed"),
    "calls": _l("Missed video calls"),
}
assert tuple(EVENT_LABELS) == EMAIL_EVENT_GROUPS
SAVED = _l("Saved")
# the browser and system a User-Agent names, most specific first (Edge and Яндекс.Браузер also say Chrome)
_BROWSERS = [("Edg/", "Microsoft Edge"), ("YaBrowser/", "Яндекс.Браузер"), ("OPR/", "Opera"), ("Firefox/", "Firefox"),
             ("Chrome/", "Chrome"), ("Chromium/", "Chromium"), ("Safari/", "Safari")]
_SYSTEMS = [("Android", "Android"), ("iPhone", "iOS"), ("iPad", "iPadOS"), ("Windows", "Windows"),
            ("Mac OS X", "macOS"), ("Linux", "Linux")]


def browser_label(user_agent: str) -> str:
    """«Chrome, Windows» from a User-Agent; the string itself (shortened) when neither is known."""
    found = [next((name for token, name in table if token in user_agent), None) for table in (_BROWSERS, _SYSTEMS)]
    return ", ".join(name for name in found if name) or user_agent[:80]


def photo_url(sha256: str) -> str:
    return url_for("ProfileView.photo", sha256=sha256)


def avatar_html(avatar: Avatar, size: int = 32) -> Markup:
    """The photo, or the initials in a circle when there is none (escaped: names are user text)."""
    if avatar.photo_sha256:
        return Markup('<img class="tmk-avatar" style="--tmk-avatar-size:{}px" src="{}" alt="{}" width="{}" '
                      'height="{}">').format(size, photo_url(avatar.photo_sha256), avatar.name, size, size)
    return Markup('<span class="tmk-avatar tmk-avatar-initials" style="--tmk-avatar-size:{}px" title="{}" '
                  'aria-hidden="true">{}</span>').format(size, avatar.name, avatar.initials)


class ProfileView(BaseView):
    route_base = "/profile"
    default_view = "index"
    class_permission_name = "Profile"
    base_permissions = ["can_read", "can_edit"]

    def _me(self) -> TmkUser:
        return db.session.get(TmkUser, g.user.id)

    def _tab(self, tab: str, errors: dict | None = None, values: dict | None = None, **context):
        errors = errors or {}
        if errors:
            flash(str(_l("Not saved: check the fields marked in red")), "danger")
        return self.render_template(
            f"profile/{tab}.html", title=TABS[tab][0], tabs=TABS, tab=tab, user=self._me(), errors=errors,
            values=values or {}, format_snils=format_snils, **context), 422 if errors else 200

    def _store(self, tab: str, data: dict):
        """The tab's checked fields onto the account, then back to the tab with «Сохранено»."""
        user = self._me()
        for name, value in data.items():
            setattr(user, name, value)
        db.session.commit()
        return self._saved(tab)

    def _saved(self, tab: str):
        flash(str(SAVED), "success")
        return redirect(url_for(f"ProfileView.{tab}"))

    @staticmethod
    def _load(schema, data: dict):
        try:
            return schema.load(data), {}
        except ValidationError as error:
            return None, flat_messages(error.messages)

    @expose("/")
    @has_access
    @permission_name("read")
    def index(self):
        return redirect(url_for("ProfileView.info"))

    # «Информация»
    @expose("/info", methods=["GET"])
    @has_access
    @permission_name("read")
    def info(self):
        return self._tab("info")

    @expose("/info", methods=["POST"])
    @has_access
    @permission_name("edit")
    def save_info(self):
        names = ("last_name", "first_name", "middle_name", "snils", "birth_date")
        values = {name: request.form.get(name, "") for name in names}
        data, errors = self._load(InfoSchema(), values)
        if data is not None and data["snils"] and snils_taken(data["snils"], except_user_id=g.user.id):
            errors = {"snils": str(_l("A user with this SNILS already exists"))}
        if errors:
            return self._tab("info", errors, values)
        return self._store("info", data)

    # «Изображения»
    @expose("/photo", methods=["GET"])
    @has_access
    @permission_name("read")
    def photo_tab(self):
        return self._photo()

    def _photo(self, errors: dict | None = None):
        return self._tab("photo", errors, max_mb=MAX_PHOTO_BYTES // (1024 * 1024), size=PHOTO_SIZE,
                         max_zoom=MAX_ZOOM)

    @expose("/photo", methods=["POST"])
    @has_access
    @permission_name("edit")
    def save_photo(self):
        upload = request.files.get("photo")
        square, errors = self._load(PhotoSquareSchema(), {
            name: request.form[name] for name in ("crop_x", "crop_y", "crop_zoom") if request.form.get(name)})
        try:
            if errors:
                raise InvalidInput(next(iter(errors.values())))
            set_photo(db.session, self._me(), upload.read() if upload is not None else b"",
                      square["crop_x"], square["crop_y"], square["crop_zoom"])
        except InvalidInput as error:
            db.session.rollback()
            return self._photo({"photo": error.message})
        db.session.commit()
        return self._saved("photo_tab")

    @expose("/photo/delete", methods=["POST"])
    @has_access
    @permission_name("edit")
    def delete_photo(self):
        remove_photo(db.session, self._me())
        db.session.commit()
        flash(str(_l("The photo has been deleted")), "success")
        return redirect(url_for("ProfileView.photo_tab"))

    @expose("/photos/<sha256>.jpg")
    @has_access
    @permission_name("read")
    def photo(self, sha256):
        """Any account's current photo, to anyone signed in (the chat and «Пользователи» show them).
        Named by its content: the address changes with the photo, so it may be cached."""
        path = photo_path_of(db.session, sha256)
        if path is None:
            abort(404)
        response = send_file(path, mimetype="image/jpeg", max_age=7 * 24 * 3600, etag=sha256)
        response.cache_control.private = True
        response.cache_control.immutable = True
        return response

    # «Доступ»
    @expose("/access", methods=["GET"])
    @has_access
    @permission_name("read")
    def access(self):
        return self._access()

    def _access(self, errors: dict | None = None):
        return self._tab("access", errors, min_length=MIN_LENGTH, sessions=open_sessions(g.user.id),
                         this_session=current_session_id(), browser_label=browser_label)

    @expose("/access", methods=["POST"])
    @has_access
    @permission_name("edit")
    def save_access(self):
        values = {name: request.form.get(name, "") for name in ("current_password", "password", "conf_password")}
        data, errors = self._load(PasswordSchema(), values)
        if data is not None:
            errors = own_password_change_problems(self._me(), data["current_password"], data["password"])
            if "current_password" in errors:
                count_wrong_password()
        if errors:
            return self._access(errors)
        # the ORM takes the account's other sessions back; this one stays (app/security/sessions.py)
        self.appbuilder.sm.reset_password(g.user.id, data["password"])
        flash(str(_l("The password has been changed")), "success")
        return redirect(url_for("ProfileView.access"))

    @expose("/access/sessions/<session_id>/end", methods=["POST"])
    @has_access
    @permission_name("edit")
    def finish_session(self, session_id):
        """«Завершить»: one of the user's own browser sessions; its cookie is refused from its next request."""
        account_session = open_session_of(g.user.id, session_id)
        if account_session is None:
            abort(404)
        end_session(account_session)
        db.session.commit()
        flash(str(_l("The session has been ended")), "success")
        return redirect(url_for("ProfileView.access"))

    # «Контакты»
    @expose("/contacts", methods=["GET"])
    @has_access
    @permission_name("read")
    def contacts(self):
        return self._tab("contacts")

    @expose("/contacts", methods=["POST"])
    @has_access
    @permission_name("edit")
    def save_contacts(self):
        values = {name: request.form.get(name, "") for name in ("email", "phone", "work_address")}
        data, errors = self._load(ContactsSchema(), values)
        if data is not None and db.session.query(TmkUser.id).filter(
                TmkUser.email == data["email"], TmkUser.id != g.user.id).first() is not None:
            errors = {"email": str(_l("Another user has this e-mail address"))}
        if errors:
            return self._tab("contacts", errors, values)
        return self._store("contacts", data)

    # «Настройка уведомлений»
    @expose("/notifications", methods=["GET"])
    @has_access
    @permission_name("read")
    def notifications(self):
        return self._tab("notifications", labels=EVENT_LABELS)

    @expose("/notifications", methods=["POST"])
    @has_access
    @permission_name("edit")
    def save_notifications(self):
        values = {"portal_events": request.form.getlist("portal_events"),
                  "email_events": request.form.getlist("email_events"),
                  "email_notifications": request.form.get("email_notifications", "")}
        data, errors = self._load(NotificationsSchema(), {k: v for k, v in values.items() if v != ""})
        if errors:
            return self._tab("notifications", errors, labels=EVENT_LABELS)
        user = self._me()
        user.portal_events, user.email_events = data["portal_events"], data["email_events"]
        user.email_notifications = data["email_notifications"]
        db.session.commit()
        return self._saved("notifications")
