"""Every "load an object named in a URL and check who may see it" goes through here."""

from dataclasses import dataclass

from allauth.mfa.models import Authenticator
from django.contrib.auth.models import AnonymousUser
from django.core import signing
from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest
from django.shortcuts import get_object_or_404
from django.utils import timezone

from consult.models import (
    ROLE_PERMISSIONS,
    Answer,
    Campaign,
    Consultation,
    ConsultationShare,
    Department,
    DepartmentMembership,
    FalseSubmissionReport,
    Flag,
    Organisation,
    OrganisationMember,
    Permission,
    Question,
    Response,
    ReviewTheme,
    SubTheme,
    ThemeSet,
    User,
)

_RESPONSE_LINK_SALT = "consult.response-link"


def get_public_consultation(slug: str) -> Consultation:
    """A consultation the public may see (any phase but draft); 404 otherwise."""
    return get_object_or_404(Consultation.objects.published().select_related("department", "ai_tool"), slug=slug)


# --- Response links (docs/decisions/0003 and 0015) --------------------------------------------


@dataclass(frozen=True)
class ResponseLink:
    """What a response's link names: the response, and which of its links it is."""

    reference: str
    generation: int


class ResponseLinkGone(Exception):
    """A genuine link that no longer opens its response: a newer link replaced it, or it expired
    (`Response.link_expires_at`). The page that says so offers a new link instead."""

    def __init__(self, *, is_expired: bool) -> None:
        super().__init__("This link has expired." if is_expired else "A newer link replaced this link.")
        self.is_expired = is_expired


def response_token(response: Response) -> str:
    """The secret that opens a response: it goes in resume links and receipts.

    It is the response's reference, and the generation of its link once the link has been
    replaced (`R-7KX4-M9PT-2HQD.2`), signed with the site's secret key: it cannot be guessed from
    the reference alone, and it needs no cookie. The first generation signs the reference alone,
    as every link did before links could be replaced, so links already sent keep working.
    """
    generation = response.link_generation
    value = response.reference if generation == 0 else f"{response.reference}.{generation}"
    return signing.Signer(salt=_RESPONSE_LINK_SALT).sign(value)


def response_link(token: str) -> ResponseLink | None:
    """What a token was signed for, or None for a forged or mangled token. Whether such a response
    exists, and whether this link still opens it, is for the caller to find out."""
    try:
        value = signing.Signer(salt=_RESPONSE_LINK_SALT).unsign(token)
    except signing.BadSignature:
        return None
    reference, _, generation = value.partition(".")
    return ResponseLink(reference, int(generation or 0))


def get_response_for_token(request: HttpRequest, token: str) -> Response:
    """The response a token opens: 404 for a forged, mangled or unknown token, ResponseLinkGone
    for a link that a newer one replaced or that has expired. An expired link still opens the
    response for the account that responded (or a member of the organisation that did): there the
    account, not the link, is the key, as it is on "Your responses"."""
    link = response_link(token)
    if link is None:
        raise Http404("No response matches this link.")
    response = get_object_or_404(
        Response.objects.select_related("consultation", "consultation__department", "user"),
        reference=link.reference,
        consultation__is_published=True,
    )
    if link.generation != response.link_generation:
        raise ResponseLinkGone(is_expired=False)
    if timezone.now() >= response.link_expires_at and not _is_respondents_account(request.user, response):
        raise ResponseLinkGone(is_expired=True)
    return response


def _is_respondents_account(user: User | AnonymousUser, response: Response) -> bool:
    """Whether the person signed in sent the response, or belongs to the organisation that did."""
    if not getattr(user, "is_authenticated", False):
        return False
    if response.organisation_id is not None:
        return may_work_on_response(user, response)
    return response.user_id == user.pk  # type: ignore[attr-defined]


# --- The officials' workspace -----------------------------------------------------------------
#
# An official sees the consultations of the departments they belong to and those shared with
# them, nothing else. Anything outside that answers 404, exactly as a consultation that does not
# exist, so that the workspace never tells anyone what exists in another department. Inside it, a
# role without the permission an action needs answers 403.


def is_official(user: User | AnonymousUser) -> bool:
    """Whether the user belongs to a department or has a consultation shared with them."""
    if not getattr(user, "is_authenticated", False):
        return False
    return (
        DepartmentMembership.objects.filter(user=user).exists() or ConsultationShare.objects.filter(user=user).exists()
    )


def has_two_factor(user: User) -> bool:
    """Whether the user has an authenticator app set up (allauth's TOTP)."""
    return Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()


def workspace_consultations(user: User) -> QuerySet[Consultation]:
    """Every consultation the official may see, drafts included."""
    # Subqueries rather than joins, so that no DISTINCT over whole rows is needed.
    departments = DepartmentMembership.objects.filter(user=user).values("department_id")
    shared = ConsultationShare.objects.filter(user=user).values("consultation_id")
    return Consultation.objects.filter(Q(department_id__in=departments) | Q(pk__in=shared))


def role_on(user: User, consultation: Consultation) -> str | None:
    """The official's role on a consultation: through their department, else through a share."""
    membership = DepartmentMembership.objects.filter(user=user, department_id=consultation.department_id).first()
    if membership is not None:
        return membership.role
    share = ConsultationShare.objects.filter(user=user, consultation=consultation).first()
    return share.role if share is not None else None


def permissions_on(user: User, consultation: Consultation) -> frozenset[Permission]:
    role = role_on(user, consultation)
    return ROLE_PERMISSIONS.get(role, frozenset()) if role else frozenset()


def get_workspace_consultation(request: HttpRequest, slug: str, permission: Permission) -> Consultation:
    """The consultation named in a workspace URL, if the signed-in official may do `permission`
    with it. 404 when they may not see it at all (or it does not exist), 403 when they may see it
    but their role does not allow the action. The official's permissions are left on the request
    as `request.workspace_permissions` for templates to show only the actions allowed."""
    # Recorded so that the access test can prove every workspace view asked, and asked for what.
    request.workspace_permission_asked = permission  # type: ignore[attr-defined]
    consultation = Consultation.objects.select_related("department").filter(slug=slug).first()
    if consultation is None:
        raise Http404("No consultation matches this address.")
    granted = permissions_on(request.user, consultation)
    if not granted:
        raise Http404("No consultation matches this address.")
    if permission not in granted:
        raise PermissionDenied("Your role does not allow this.")
    request.workspace_permissions = granted  # type: ignore[attr-defined]
    return consultation


def get_workspace_question(request: HttpRequest, slug: str, question_id: int, permission: Permission) -> Question:
    """A question of a consultation the official may work on (404 if it is another's)."""
    consultation = get_workspace_consultation(request, slug, permission)
    question = get_object_or_404(consultation.questions.all(), pk=question_id)
    question.consultation = consultation
    return question


def get_workspace_response(request: HttpRequest, slug: str, reference: str, permission: Permission) -> Response:
    """A submitted or withdrawn response to a consultation the official may work on. Drafts are
    the respondent's own until they send them: officials never see them."""
    consultation = get_workspace_consultation(request, slug, permission)
    response = get_object_or_404(
        consultation.responses.exclude(status=Response.Status.DRAFT).select_related("organisation", "signed_off_by"),
        reference=reference,
    )
    response.consultation = consultation
    return response


def get_workspace_answer(request: HttpRequest, slug: str, answer_id: int, permission: Permission) -> Answer:
    """An answer in a submitted or withdrawn response to a consultation the official may work on."""
    consultation = get_workspace_consultation(request, slug, permission)
    answer = get_object_or_404(
        Answer.objects.select_related("response", "question").exclude(response__status=Response.Status.DRAFT),
        pk=answer_id,
        response__consultation=consultation,
    )
    answer.response.consultation = consultation
    return answer


def get_workspace_theme_set(request: HttpRequest, slug: str, question_id: int, permission: Permission) -> ThemeSet:
    """The reviewed theme set of a free-text question the official may work on."""
    question = get_workspace_question(request, slug, question_id, permission)
    theme_set = get_object_or_404(ThemeSet, question=question)
    theme_set.question = question
    return theme_set


def get_workspace_review_theme(request: HttpRequest, slug: str, theme_id: int, permission: Permission) -> ReviewTheme:
    """A reviewed theme of a consultation the official may work on."""
    consultation = get_workspace_consultation(request, slug, permission)
    theme = get_object_or_404(
        ReviewTheme.objects.select_related("theme_set", "theme_set__question"),
        pk=theme_id,
        theme_set__question__consultation=consultation,
    )
    theme.theme_set.question.consultation = consultation
    return theme


def get_workspace_sub_theme(request: HttpRequest, slug: str, sub_theme_id: int, permission: Permission) -> SubTheme:
    """A sub-theme an analysis run of a consultation the official may work on found."""
    consultation = get_workspace_consultation(request, slug, permission)
    sub_theme = get_object_or_404(
        SubTheme.objects.select_related("question", "parent"), pk=sub_theme_id, run__consultation=consultation
    )
    sub_theme.question.consultation = consultation
    return sub_theme


def get_workspace_flag(request: HttpRequest, slug: str, flag_id: int, permission: Permission) -> Flag:
    """A moderation flag on an answer to a consultation the official may work on."""
    consultation = get_workspace_consultation(request, slug, permission)
    flag = get_object_or_404(
        Flag.objects.select_related("answer", "answer__response", "answer__question"),
        pk=flag_id,
        answer__response__consultation=consultation,
    )
    flag.answer.response.consultation = consultation
    return flag


def get_workspace_campaign(request: HttpRequest, slug: str, campaign_id: int, permission: Permission) -> Campaign:
    """A campaign the analysis found in a consultation the official may work on."""
    consultation = get_workspace_consultation(request, slug, permission)
    campaign = get_object_or_404(
        Campaign.objects.select_related("question", "canonical_answer"), pk=campaign_id, run__consultation=consultation
    )
    campaign.question.consultation = consultation
    return campaign


def has_permission_anywhere(user: User | AnonymousUser, permission: Permission) -> bool:
    """Whether the official's role in any of their departments allows `permission` (such as
    verifying organisations, which belong to no department): for showing a link, not for access."""
    if not getattr(user, "is_authenticated", False):
        return False
    roles = [role for role, granted in ROLE_PERMISSIONS.items() if permission in granted]
    return DepartmentMembership.objects.filter(user=user, role__in=roles).exists()


def departments_with_permission(request: HttpRequest, permission: Permission) -> list[Department]:
    """The departments in which the signed-in official's role allows `permission`, for views that
    are not about one consultation (such as creating one). 403 when there are none."""
    request.workspace_permission_asked = permission  # type: ignore[attr-defined]
    roles = [role for role, granted in ROLE_PERMISSIONS.items() if permission in granted]
    departments = list(
        Department.objects.filter(memberships__user=request.user, memberships__role__in=roles).distinct()
    )
    if not departments:
        raise PermissionDenied("Your role does not allow this.")
    return departments


# --- Organisations ----------------------------------------------------------------------------
#
# An organisation's pages are for its members (404 for anyone else, as for one that does not
# exist); its admins alone invite, remove and sign off. Officials who may verify organisations see
# every organisation, since an organisation belongs to no department.


def get_organisation_membership(
    request: HttpRequest, organisation_id: int, *, admin: bool = False
) -> OrganisationMember:
    """The signed-in person's membership of the organisation in the URL: 404 if they are not a
    member, 403 if the action needs an admin and they are not one."""
    membership = get_object_or_404(
        OrganisationMember.objects.select_related("organisation"), organisation_id=organisation_id, user=request.user
    )
    if admin and not membership.is_admin:
        raise PermissionDenied("Only an admin of the organisation can do this.")
    return membership


def may_work_on_response(user: User | AnonymousUser, response: Response) -> bool:
    """Whether the person may open the response's pages beyond its token: anyone with the token
    for a person's response; only signed-in members for an organisation's shared draft."""
    if response.organisation_id is None:
        return True
    if not getattr(user, "is_authenticated", False):
        return False
    return OrganisationMember.objects.filter(organisation_id=response.organisation_id, user=user).exists()


def get_workspace_organisation(request: HttpRequest, organisation_id: int) -> Organisation:
    """An organisation for an official who may verify organisations (403 for any other)."""
    departments_with_permission(request, Permission.VERIFY_ORGANISATIONS)
    return get_object_or_404(Organisation.objects.select_related("decided_by", "registered_by"), pk=organisation_id)


def get_workspace_false_submission_report(
    request: HttpRequest, slug: str, report_id: int, permission: Permission
) -> FalseSubmissionReport:
    """A report of a falsely sent response to a consultation the official may work on."""
    consultation = get_workspace_consultation(request, slug, permission)
    report = get_object_or_404(
        FalseSubmissionReport.objects.select_related("response", "resolved_by"), pk=report_id, consultation=consultation
    )
    report.consultation = consultation
    return report
