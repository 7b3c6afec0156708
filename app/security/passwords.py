"""Password complexity for new passwords (FAB_PASSWORD_COMPLEXITY_VALIDATOR)."""
from flask_appbuilder.exceptions import PasswordComplexityValidationError
from flask_babel import gettext as _
from werkzeug.security import check_password_hash

MIN_LENGTH = 8


def password_problems(password: str) -> list[str]:
    problems = []
    if len(password) < MIN_LENGTH:
        problems.append(_("at least %(n)d characters", n=MIN_LENGTH))
    if not any(c.islower() for c in password) or not any(c.isupper() for c in password):
        problems.append(_("lower-case and capital letters"))
    if not any(c.isdigit() for c in password):
        problems.append(_("a digit"))
    return problems


def validate_password_complexity(password: str) -> None:
    problems = password_problems(password or "")
    if problems:
        raise PasswordComplexityValidationError(
            _("The password must contain %(what)s.", what=", ".join(problems))
        )


def own_password_change_problems(user, current: str, new: str) -> dict[str, str]:
    """Field → what is wrong with the signed-in user's change of his own password (profile → «Доступ»);
    empty: it may be changed. The current password is asked for: a session left open is not enough."""
    if not check_password_hash(user.password or "", current):
        return {"current_password": _("The current password is wrong")}
    if new == current:
        return {"password": _("The new password must differ from the current one")}
    problems = password_problems(new)
    if problems:
        return {"password": _("The password must contain %(what)s.", what=", ".join(problems))}
    return {}
