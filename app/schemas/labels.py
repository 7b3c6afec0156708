"""The Russian names of an account's columns: «Учётные записи» and /api/v1/users/ say the same words."""
from flask_babel import lazy_gettext as _l

USER_LABELS = {
    "full_name": _l("Full name"),
    "last_name": _l("Last name"),
    "first_name": _l("First name"),
    "middle_name": _l("Middle name"),
    "username": _l("Login name"),
    "email": _l("E-mail"),
    "active": _l("Active"),
    "roles": _l("Roles"),
    "snils": _l("SNILS"),
    "birth_date": _l("Birth date"),
    "organization": _l("Medical organization"),
    "department": _l("Department"),
    "position": _l("Position"),
    "care_profiles": _l("Care profiles"),
    "phone": _l("Phone"),
    "work_address": _l("Work address"),
    "avatar": _l("Photo"),
    "email_notifications": _l("E-mail notifications"),
    "password": _l("Password"),
    "conf_password": _l("Confirm password"),
    "last_login": _l("Last login"),
    "login_count": _l("Login count"),
    "fail_login_count": _l("Failed login count"),
    "created_on": _l("Created on"),
    "changed_on": _l("Changed on"),
}

USER_DESCRIPTIONS = {
    "active": _l("Do not delete the account of someone who has left: make it inactive"),
    "care_profiles": _l("What the doctor consults on"),
}
