from allauth.account.decorators import secure_admin_login
from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path

from consult.open_data import downloads as open_data
from consult.open_data import feeds, reference
from consult.open_data.api import api
from consult.views.organisations import following
from consult.views.organisations import organisations as organisations_views
from consult.views.public import consultations as public
from consult.views.public import data_rights, info_pages, respond, response_links

# The Django admin signs people in through allauth, so its users pass two-factor authentication.
admin.site.login = secure_admin_login(admin.site.login)

handler400 = "consult.views.errors.bad_request"
handler403 = "consult.views.errors.permission_denied"
handler404 = "consult.views.errors.page_not_found"
handler500 = "consult.views.errors.server_error"

# The public site, in English at its plain address and in Welsh under /cy/. The account pages are
# among them: citizens sign in to follow consultations, see their responses and join organisations.
public_patterns = [
    path("accounts/", include("allauth.urls")),
    path("", public.consultation_list, name="consultation_list"),
    path("consultations/<slug:slug>/", public.consultation_detail, name="consultation_detail"),
    path("consultations/<slug:slug>/respond/", public.start_response, name="start_response"),
    path("consultations/<slug:slug>/outcome/", public.consultation_outcome, name="consultation_outcome"),
    path(
        "consultations/<slug:slug>/outcome/download.json", open_data.outcome_download_json, name="outcome_download_json"
    ),
    path("consultations/<slug:slug>/outcome/themes.csv", open_data.outcome_themes_csv, name="outcome_themes_csv"),
    path(
        "consultations/<slug:slug>/outcome/responses.csv", open_data.outcome_responses_csv, name="outcome_responses_csv"
    ),
    path("feeds/consultations.atom", feeds.consultations_feed, name="consultations_feed"),
    path("feeds/outcomes.atom", feeds.outcomes_feed, name="outcomes_feed"),
    path("feeds/closing-dates.ics", feeds.closing_dates_calendar, name="closing_dates_calendar"),
    # The API's reference is a page of the site, in English and Welsh; the API itself is not.
    path("api/docs", reference.api_reference, name="api_reference"),
    path("your-responses/", public.your_responses, name="your_responses"),
    path("your-responses/download/", data_rights.download_your_data, name="download_your_data"),
    path("your-account/delete/", data_rights.delete_account, name="delete_account"),
    path("your-account/deleted/", data_rights.account_deleted, name="account_deleted"),
    path("privacy/", info_pages.privacy_notice, name="privacy_notice"),
    path("accessibility/", info_pages.accessibility_statement, name="accessibility_statement"),
    # Before the response's own pages, whose token would otherwise match "new-link".
    path("respond/new-link/", response_links.new_response_link, name="new_response_link"),
    path("respond/new-link/sent/", response_links.new_response_link_sent, name="new_response_link_sent"),
    path("respond/<str:token>/", respond.response_detail, name="response_detail"),
    path("respond/<str:token>/about-you/", respond.about_you, name="about_you"),
    path("respond/<str:token>/questions/<int:question_id>/", respond.answer_question, name="answer_question"),
    path("respond/<str:token>/check-answers/", respond.check_answers, name="check_answers"),
    path("respond/<str:token>/about-you/equality/", respond.equality_information, name="equality_information"),
    path("respond/<str:token>/confirmation/", respond.confirmation, name="confirmation"),
    path("respond/<str:token>/save/", respond.save_and_return, name="save_and_return"),
    path("respond/<str:token>/withdraw/", respond.withdraw, name="withdraw"),
    path("respond/<str:token>/organisation/", organisations_views.organisation_consent, name="organisation_consent"),
    path("organisations/", organisations_views.your_organisations, name="your_organisations"),
    path("organisations/register/", organisations_views.register_organisation, name="register_organisation"),
    path("organisations/<int:organisation_id>/", organisations_views.organisation_detail, name="organisation_detail"),
    path(
        "organisations/<int:organisation_id>/respond/",
        organisations_views.start_organisation_response,
        name="start_organisation_response",
    ),
    path("organisations/<int:organisation_id>/invite/", organisations_views.invite_member, name="invite_member"),
    path(
        "organisations/<int:organisation_id>/members/<int:member_id>/remove/",
        organisations_views.remove_member,
        name="remove_member",
    ),
    path(
        "organisations/<int:organisation_id>/members/<int:member_id>/role/",
        organisations_views.change_member_role,
        name="change_member_role",
    ),
    path("organisations/invitations/<str:token>/", organisations_views.accept_invitation, name="accept_invitation"),
    path(
        "consultations/<slug:slug>/report-a-false-response/",
        organisations_views.report_false_response,
        name="report_false_response",
    ),
    path(
        "consultations/<slug:slug>/report-a-false-response/sent/",
        organisations_views.false_response_reported,
        name="false_response_reported",
    ),
    path("consultations/<slug:slug>/follow/", following.follow_consultation, name="follow_consultation"),
    path("consultations/<slug:slug>/unfollow/", following.unfollow_consultation, name="unfollow_consultation"),
    path("departments/<slug:slug>/", following.department_detail, name="department_detail"),
    path("departments/<slug:slug>/follow/", following.follow_department, name="follow_department"),
    path("departments/<slug:slug>/unfollow/", following.unfollow_department, name="unfollow_department"),
    path("following/", following.following, name="following"),
    path("following/emails/", following.notification_preferences, name="notification_preferences"),
    path("unsubscribe/<str:token>/", following.notification_unsubscribe, name="notification_unsubscribe"),
]

urlpatterns = [
    path("workspace/", include("consult.views.workspace.urls")),
    path("admin/", admin.site.urls),
    # The open data API is language-neutral, so it sits outside the /cy/ patterns.
    path("api/", api.urls),
]

urlpatterns += i18n_patterns(*public_patterns, prefix_default_language=False)
# After the public pages, so that the API's reference page (/api/docs) is found first.
urlpatterns.append(path("api/<path:rest>", open_data.api_not_found))
