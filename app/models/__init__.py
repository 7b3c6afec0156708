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
from app.models.requests import (  # noqa: F401
    EXTERNAL_SOURCE_LABELS,
    FINISHED_STATUSES,
    GOAL_LABELS,
    OPEN_STATUSES,
    SEX_LABELS,
    STATUS_LABELS,
    AuditEvent,
    ConsultationRequest,
    ExternalRecord,
    Patient,
    PatientIdentityMismatch,
    RequestEvent,
    RequestNumber,
    utcnow,
)
from app.models.documents import Document, RequestAttachment  # noqa: F401
from app.models.chat import MESSAGE_KINDS, Dialog, DialogMember, Message, Notification  # noqa: F401
from app.models.conclusions import CONCLUSION_TEXTS, Conclusion, Signature  # noqa: F401
from app.models.jobs import KeptJob  # noqa: F401
from app.models.help import HelpArticle, HelpSearchEntry  # noqa: F401
from app.models.video import VideoPresence, VideoSession  # noqa: F401
from app.models.calls import CALL_TARGETS, CALLEE_STATES, VideoCall, VideoCallee  # noqa: F401
