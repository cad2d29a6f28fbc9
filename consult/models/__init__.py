"""The domain. Accounts, officials' roles and shares live in `accounts`; consultations, their
AI tool records and questions in `consultations`; people's responses in `responses`; analysis runs
and their results in `analysis`; the themes officials review and the mapping of answers to them in
`review`; flags and redactions in `moderation`; the audit trail in `audit`; the outcome and what
each response counted towards once published in `publishing`; organisations that respond and
their members in `organisations`; who follows what (and the emails that follow from it) in
`following`; and the queued work recorded before it is sent in `outbox`."""

from consult.models.accounts import (
    ROLE_PERMISSIONS,
    ConsultationShare,
    DepartmentMembership,
    Permission,
    Role,
    User,
    UserManager,
)
from consult.models.analysis import (
    AnalysisRun,
    AnswerEmbedding,
    Campaign,
    CampaignMember,
    CampaignScan,
    LateAnswer,
    QuestionSummary,
    SubTheme,
    SubThemeAssignment,
    Theme,
    ThemeAssignment,
)
from consult.models.audit import AuditEvent
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
)
from consult.models.following import (
    Follow,
    Notification,
    NotificationDigest,
    NotificationKind,
    NotificationPreference,
)
from consult.models.moderation import Flag, RedactedOriginal
from consult.models.organisations import (
    FalseSubmissionReport,
    Organisation,
    OrganisationInvitation,
    OrganisationMember,
)
from consult.models.outbox import QueuedTask
from consult.models.publishing import Outcome, OutcomeReceipt
from consult.models.responses import (
    REFERENCE_ALPHABET,
    Answer,
    EqualityInformation,
    Response,
    ResponseQuerySet,
    new_reference,
)
from consult.models.review import (
    MappingCheck,
    MappingChunk,
    MappingProposal,
    ResponseRead,
    ReviewTheme,
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
    "CampaignScan",
    "Consultation",
    "ConsultationQuerySet",
    "ConsultationShare",
    "Department",
    "DepartmentMembership",
    "EqualityInformation",
    "FalseSubmissionReport",
    "Flag",
    "Follow",
    "LateAnswer",
    "MappingCheck",
    "MappingChunk",
    "MappingProposal",
    "Notification",
    "NotificationDigest",
    "NotificationKind",
    "NotificationPreference",
    "Option",
    "Organisation",
    "OrganisationInvitation",
    "OrganisationMember",
    "Outcome",
    "OutcomeReceipt",
    "Permission",
    "Phase",
    "Question",
    "QuestionSummary",
    "QueuedTask",
    "RedactedOriginal",
    "Response",
    "ResponseQuerySet",
    "ResponseRead",
    "ReviewTheme",
    "Role",
    "SubTheme",
    "SubThemeAssignment",
    "Theme",
    "ThemeAssignment",
    "ThemeMapping",
    "ThemeSet",
    "User",
    "UserManager",
    "new_reference",
]
