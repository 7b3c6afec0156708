"""Password complexity for new passwords (FAB_PASSWORD_COMPLEXITY_VALIDATOR)."""
from flask_appbuilder.exceptions import PasswordComplexityValidationError
from flask_babel import gettext as _

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
