"""The domain. Consultations and questions live in `consultations`, people's responses in
`responses`, the analysis runs and their results in `analysis`, officials' review, moderation and
outcomes in `workspace`, and what each response counted towards once published in `publishing`."""

from consult.models.analysis import (
    AnalysisRun,
    AnswerEmbedding,
    Campaign,
    CampaignMember,
    LateAnswer,
    QuestionSummary,
    Theme,
    ThemeAssignment,
)
from consult.models.consultations import (
    OUTCOME_DUE_AFTER,
    Agreement,
    AIToolRecord,
    Consultation,
    ConsultationQuerySet,
    Department,
    Option,
    Phase,
    Question,
    User,
    UserManager,
)
from consult.models.responses import (
    REFERENCE_ALPHABET,
    Answer,
    EqualityInformation,
    Response,
    ResponseQuerySet,
    new_reference,
)
from consult.models.workspace import (
    ROLE_PERMISSIONS,
    AuditEvent,
    ConsultationShare,
    DepartmentMembership,
    Flag,
    Outcome,
    Permission,
    RedactedOriginal,
    ResponseRead,
    ReviewTheme,
    Role,
    ThemeMapping,
    ThemeSet,
)

__all__ = [
    "OUTCOME_DUE_AFTER",
    "REFERENCE_ALPHABET",
    "ROLE_PERMISSIONS",
    "AIToolRecord",
    "Agreement",
    "AnalysisRun",
    "Answer",
    "AnswerEmbedding",
    "AuditEvent",
    "Campaign",
    "CampaignMember",
    "Consultation",
    "ConsultationQuerySet",
    "ConsultationShare",
    "Department",
    "DepartmentMembership",
    "EqualityInformation",
    "Flag",
    "LateAnswer",
    "Option",
    "Outcome",
    "Permission",
    "Phase",
    "Question",
    "QuestionSummary",
    "RedactedOriginal",
    "Response",
    "ResponseQuerySet",
    "ResponseRead",
    "ReviewTheme",
    "Role",
    "Theme",
    "ThemeAssignment",
    "ThemeMapping",
    "ThemeSet",
    "User",
    "UserManager",
    "new_reference",
]

# The published outcome's per-response record (added with the outcome's publishing).
from consult.models.publishing import OutcomeReceipt

__all__ += ["OutcomeReceipt"]
