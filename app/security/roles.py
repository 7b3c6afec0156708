"""The portal's roles and what each may open; `flask tmk init` makes the database match this."""
import re

from flask_appbuilder import AppBuilder

REGIONAL_ADMIN = "Региональный администратор"
MO_ADMIN = "Администратор МО"
COORDINATOR = "Координатор"
CONSULTANT = "Врач-консультант"
REQUESTER = "Направляющий врач"
PUBLIC = "Гость"

# Code names (DESIGN.md §1) for the API and the command line.
ROLE_CODES = {
    "regional_admin": REGIONAL_ADMIN,
    "mo_admin": MO_ADMIN,
    "coordinator": COORDINATOR,
    "consultant": CONSULTANT,
    "requester": REQUESTER,
}

# The main menu's one dropdown (its FAB name): every administration screen is in it, so the menu fits one row
ADMIN_MENU = "Administration"

# What every signed-in user may do: the profile (its tabs, the own password, the photos), the user directory.
_EVERYONE = [
    (r"can_userinfo|resetmypassword|userinfoedit", "TmkUserModelView"),
    (r"can_(read|edit)", "Profile"),
    (r"can_list|can_show", "UserDirectoryView"),
    (r"menu_access", "Messages|Users directory|All requests|Available requests"),
    (r"can_(read|act)", "Requests"),
    (r"menu_access|can_read", "Documents"),  # «Документы»: one's own files
    (r"can_read", "Help"),  # «Помощь»: the guide and the FAQ (the FAQ's editing: regional administrator)
    (r"can_get", "OpenApi"),  # the API's description, for whoever integrates a МИС with his account
]

# (permission regex, view-menu regex) pairs; the regional administrator gets every permission.
ROLE_PERMISSIONS: dict[str, list[tuple[str, str]]] = {
    MO_ADMIN: _EVERYONE
    + [
        (r"can_(list|show|add|edit|delete)|resetpasswords", "TmkUserModelView"),
        (r"can_this_form_(get|post)", "TmkResetPasswordView"),
        (r"can_(get|info|post|put|delete)", "UserApi"),
        (r"can_(list|show|add|edit|delete)", "DepartmentView"),
        (r"can_(list|show)", "PatientMismatchView|UndeliveredMailView"),
        (r"menu_access", f"{ADMIN_MENU}|User accounts|Departments|Patient mismatches|Undelivered mail"),
    ],
    COORDINATOR: _EVERYONE,
    CONSULTANT: _EVERYONE + [(r"menu_access", "Requests in work")],
    REQUESTER: _EVERYONE + [(r"menu_access", "Outgoing requests|Draft requests")],
    PUBLIC: [],
}


def _matches(pairs: list[tuple[str, str]], permission: str, view_menu: str) -> bool:
    return any(re.fullmatch(p, permission) and re.fullmatch(v, view_menu) for p, v in pairs)


def sync_roles(appbuilder: AppBuilder) -> dict[str, int]:
    """Create every view's permissions and set each role's permissions exactly. Idempotent."""
    sm = appbuilder.sm
    role_names = [REGIONAL_ADMIN, *ROLE_PERMISSIONS]
    for role_name in role_names:  # FAB hands new permissions to the admin role, so it must exist
        sm.find_role(role_name) or sm.add_role(role_name)
    appbuilder.add_permissions(update_perms=True)
    all_pvms = sm.session.query(sm.permissionview_model).all()
    counts = {}
    for role_name in role_names:
        role = sm.find_role(role_name)
        if role_name == REGIONAL_ADMIN:
            wanted = all_pvms
        else:
            pairs = ROLE_PERMISSIONS[role_name]
            wanted = [pv for pv in all_pvms if _matches(pairs, pv.permission.name, pv.view_menu.name)]
        if set(role.permissions) != set(wanted):
            role.permissions = wanted
        counts[role_name] = len(wanted)
    sm.session.commit()
    return counts
