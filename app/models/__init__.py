"""All models, imported here so that Alembic and the app see one metadata."""
from app.models.orgs import (  # noqa: F401
    ASSIGNMENT_LABELS,
    MODE_LABELS,
    URGENCY_LABELS,
    CareProfile,
    Department,
    MedicalOrganization,
    Route,
    UrgencyRule,
)
from app.models.users import TmkUser, user_care_profile  # noqa: F401
