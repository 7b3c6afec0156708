"""The first regional administrator, made once when the portal has none."""
import secrets
import string

from flask import current_app

from app.security.passwords import password_problems
from app.security.roles import REGIONAL_ADMIN


def generate_password(length: int = 14) -> str:
    """Random, and always meeting the complexity rule."""
    alphabet = string.ascii_letters + string.digits
    while True:
        password = "".join(secrets.choice(alphabet) for _ in range(length))
        if not password_problems(password):
            return password


def ensure_first_admin() -> tuple[str, str | None] | None:
    """Create the first regional administrator if nobody holds the role.

    Returns (login, password) when one was made; the password is None when it came from
    TMK_ADMIN_PASSWORD (so it is never printed).
    """
    sm = current_app.appbuilder.sm
    role = sm.find_role(REGIONAL_ADMIN)
    if role is None:
        raise RuntimeError("roles are missing: run `flask tmk init` first")
    if sm.session.query(sm.user_model).filter(sm.user_model.roles.any(id=role.id)).first():
        return None
    login = current_app.config["TMK_ADMIN_USER"] or "admin"
    given = current_app.config["TMK_ADMIN_PASSWORD"]
    password = given or generate_password()
    user = sm.add_user(
        username=login,
        first_name="Администратор",
        last_name="Региональный",
        email=f"{login}@tmk.local",
        role=role,
        password=password,
    )
    if not user:
        raise RuntimeError(f"could not create the administrator {login!r}: is the login taken?")
    return login, (None if given else password)
