from allauth.account.decorators import secure_admin_login
from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path

from consult.views import public, respond

# The Django admin signs people in through allauth, so its users pass two-factor authentication.
admin.site.login = secure_admin_login(admin.site.login)

handler400 = "consult.views.errors.bad_request"
handler403 = "consult.views.errors.permission_denied"
handler404 = "consult.views.errors.page_not_found"
handler500 = "consult.views.errors.server_error"

# The public site, in English at its plain address and in Welsh under /cy/.
public_patterns = [
    path("", public.consultation_list, name="consultation_list"),
    path("consultations/<slug:slug>/", public.consultation_detail, name="consultation_detail"),
    path("consultations/<slug:slug>/respond/", public.start_response, name="start_response"),
    path("consultations/<slug:slug>/outcome/", public.consultation_outcome, name="consultation_outcome"),
    path("your-responses/", public.your_responses, name="your_responses"),
    path("respond/<str:token>/", respond.response_detail, name="response_detail"),
    path("respond/<str:token>/about-you/", respond.about_you, name="about_you"),
    path("respond/<str:token>/questions/<int:question_id>/", respond.answer_question, name="answer_question"),
    path("respond/<str:token>/check-answers/", respond.check_answers, name="check_answers"),
    path("respond/<str:token>/about-you/equality/", respond.equality_information, name="equality_information"),
    path("respond/<str:token>/confirmation/", respond.confirmation, name="confirmation"),
    path("respond/<str:token>/save/", respond.save_and_return, name="save_and_return"),
    path("respond/<str:token>/withdraw/", respond.withdraw, name="withdraw"),
]

urlpatterns = [
    path("workspace/", include("consult.views.workspace.urls")),
    path("accounts/", include("allauth.urls")),
    path("admin/", admin.site.urls),
]

urlpatterns += i18n_patterns(*public_patterns, prefix_default_language=False)
