"""Staff create consultations, their AI tool records and questions here until the officials'
workspace exists."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from consult.models import AIToolRecord, Answer, Consultation, Department, Option, Question, Response, User


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


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin):
    prepopulated_fields = {"slug": ["name"]}


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
