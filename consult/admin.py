"""The Django admin, for operators: departments and their officials' roles, and a read-only audit
trail. Officials run consultations in the workspace (`/workspace/`), not here."""

from allauth.mfa.models import Authenticator
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.db.models import QuerySet
from django.forms import BaseInlineFormSet, ModelForm
from django.http import HttpRequest

from consult.models import (
    AIToolRecord,
    Answer,
    AuditEvent,
    Consultation,
    Department,
    DepartmentMembership,
    Notification,
    Option,
    Question,
    QueuedTask,
    Response,
    User,
)
from consult.queries.workspace.audit_sentences import sentence_of
from consult.services import audit, outbox
from consult.services.consultations import lock_for_question_change


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    ordering = ["email"]
    list_display = ["email", "first_name", "last_name", "is_staff"]
    search_fields = ["email", "first_name", "last_name"]
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        ("Name", {"fields": ["first_name", "last_name"]}),
        ("Permissions", {"fields": ["is_active", "is_staff", "is_superuser", "groups", "user_permissions"]}),
        ("Dates", {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [(None, {"classes": ["wide"], "fields": ["email", "password1", "password2"]})]


class DepartmentMembershipInline(admin.TabularInline):
    """Officials of the department and their roles: this is how someone gets into the workspace."""

    model = DepartmentMembership
    extra = 1
    autocomplete_fields = ["user"]


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin):
    prepopulated_fields = {"slug": ["name"]}
    inlines = [DepartmentMembershipInline]

    def save_formset(self, request: HttpRequest, form: ModelForm, formset: BaseInlineFormSet, change: bool) -> None:
        """Save the officials' roles and put each change on the audit trail, in the admin's
        transaction: a role opens every consultation of the department."""
        if formset.model is not DepartmentMembership:
            super().save_formset(request, form, formset, change)
            return
        was = {f.instance.pk: (f.initial.get("role"), f.instance.user.email) for f in formset.initial_forms}
        for deleted in formset.deleted_forms:
            if deleted.instance.pk is not None:
                role, email = was[deleted.instance.pk]
                state = {"user": email, "department": deleted.instance.department.name, "role": role}
                audit.record(None, request.user, "membership.remove", deleted.instance, before=state)
        super().save_formset(request, form, formset, change)
        for membership in formset.new_objects:
            state = {"user": membership.user.email, "department": membership.department.name, "role": membership.role}
            audit.record(None, request.user, "membership.create", membership, after=state)
        for membership, _ in formset.changed_objects:
            role, email = was[membership.pk]
            department = membership.department.name
            audit.record(
                None,
                request.user,
                "membership.update",
                membership,
                before={"user": email, "department": department, "role": role},
                after={"user": membership.user.email, "department": department, "role": membership.role},
            )


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """The audit trail, read-only: nobody edits history."""

    list_display = ["created_at", "consultation", "description", "action", "object_type", "object_id"]
    list_filter = ["action"]
    list_select_related = ["consultation", "actor"]

    @admin.display(description="What happened")
    def description(self, event: AuditEvent) -> str:
        return sentence_of(event)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: AuditEvent | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: AuditEvent | None = None) -> bool:
        return False


class AIToolRecordInline(admin.StackedInline):
    model = AIToolRecord


class QuestionInline(admin.TabularInline):
    model = Question
    fields = ["position", "kind", "text", "is_required", "max_length", "explains"]
    extra = 0
    show_change_link = True


@admin.register(Consultation)
class ConsultationAdmin(admin.ModelAdmin):
    list_display = ["title", "department", "is_published", "opens_at", "closes_at"]
    list_filter = ["is_published", "department"]
    search_fields = ["title", "summary"]
    prepopulated_fields = {"slug": ["title"]}
    inlines = [AIToolRecordInline, QuestionInline]


class OptionInline(admin.TabularInline):
    model = Option
    extra = 0


@admin.register(Question)
class QuestionAdmin(admin.ModelAdmin):
    list_display = ["text", "consultation", "position", "kind", "is_required"]
    list_filter = ["consultation", "kind"]
    inlines = [OptionInline]

    # The respondent's journey keeps questions in memory by their consultation's version; a change
    # made here moves it on, as the workspace's changes do.
    def save_related(self, request: HttpRequest, form: object, formsets: object, change: bool) -> None:
        super().save_related(request, form, formsets, change)
        lock_for_question_change(form.instance.consultation)

    def delete_model(self, request: HttpRequest, obj: Question) -> None:
        lock_for_question_change(obj.consultation)
        super().delete_model(request, obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Question]) -> None:
        for consultation in Consultation.objects.filter(questions__in=queryset).distinct():
            lock_for_question_change(consultation)
        super().delete_queryset(request, queryset)


class AnswerInline(admin.TabularInline):
    model = Answer
    fields = ["question", "text", "agreement"]
    readonly_fields = fields
    extra = 0
    can_delete = False


@admin.register(Response)
class ResponseAdmin(admin.ModelAdmin):
    list_display = ["reference", "consultation", "status", "respondent_type", "submitted_at"]
    list_filter = ["consultation", "status", "respondent_type"]
    search_fields = ["reference", "organisation_name"]
    readonly_fields = ["reference", "consultation", "user", "start_key", "created_at", "submitted_at", "withdrawn_at"]
    inlines = [AnswerInline]


# --- Following and notifications ---------------------------------------------------------------


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    """Notification emails, read-only. One attempted but never sent was interrupted by a crashed
    worker and is not sent again (docs/decisions/0008-notifications.md): its person may not have
    had it."""

    list_display = ["created_at", "user", "kind", "consultation", "attempted_at", "sent_at", "digest"]
    list_filter = ["kind", ("attempted_at", admin.EmptyFieldListFilter), ("sent_at", admin.EmptyFieldListFilter)]
    search_fields = ["user__email", "consultation__title"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: AuditEvent | None = None) -> bool:
        return False


@admin.register(QueuedTask)
class QueuedTaskAdmin(admin.ModelAdmin):
    """Queued work (docs/decisions/0016-transactional-outbox.md), read-only. Work given up after
    OUTBOX_MAX_SENDS sendings can be sent again once its cause is mended (an SMTP server's
    password, say)."""

    list_display = ["created_at", "task", "args", "sends", "sent_at", "done_at", "gave_up_at"]
    list_filter = ["task", ("done_at", admin.EmptyFieldListFilter), ("gave_up_at", admin.EmptyFieldListFilter)]
    actions = ["send_again"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: AuditEvent | None = None) -> bool:
        return False

    @admin.action(description="Send again the selected work not done", permissions=["view"])
    def send_again(self, request: HttpRequest, queryset: QuerySet[QueuedTask]) -> None:
        count = outbox.send_again(queryset)
        self.message_user(request, f"{count} queued tasks will be sent again within a minute.")


# --- Organisations -----------------------------------------------------------------------------

from consult.models import FalseSubmissionReport, Organisation, OrganisationMember  # noqa: E402


class OrganisationMemberInline(admin.TabularInline):
    model = OrganisationMember
    extra = 0
    autocomplete_fields = ["user"]


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    """Organisations and their members. Officials verify or reject them in the workspace, where
    the decision is audited, so the decision is read-only here."""

    list_display = ["name", "status", "charity_number", "company_number", "created_at"]
    list_filter = ["status"]
    search_fields = ["name", "charity_number", "company_number"]
    readonly_fields = ["status", "decided_by", "decided_at", "decision_reason", "registered_by", "created_at"]
    inlines = [OrganisationMemberInline]


@admin.register(FalseSubmissionReport)
class FalseSubmissionReportAdmin(admin.ModelAdmin):
    """Reports of falsely sent responses, read-only: officials resolve them in the workspace."""

    list_display = ["created_at", "consultation", "reference", "resolved_at"]
    list_filter = [("resolved_at", admin.EmptyFieldListFilter)]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: AuditEvent | None = None) -> bool:
        return False


# allauth registers authenticators with every field, the encrypted secret included; operators need
# only to see who has which and to delete one when its owner loses the device.
admin.site.unregister(Authenticator)


@admin.register(Authenticator)
class AuthenticatorAdmin(admin.ModelAdmin):
    """Officials' second factors: whose, which kind and when last used. The secret is never shown;
    deleting one lets its owner set up a new authenticator app at their next sign-in."""

    list_display = ["user", "type", "created_at", "last_used_at"]
    list_filter = ["type"]
    search_fields = ["user__email"]
    fields = ["user", "type", "created_at", "last_used_at"]
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Authenticator | None = None) -> bool:
        return False
