"""Following a consultation or a department, the department page, the Following page and the
notification preferences, through the HTTP client."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from consult.models import Follow, NotificationPreference
from tests.factories import make_consultation, make_department, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def person(client: Client) -> object:
    user = make_user("follower@example.com")
    client.force_login(user)
    return user


def test_an_anonymous_person_who_presses_follow_is_sent_to_sign_in_and_back_to_the_consultation(client):
    consultation = make_consultation()
    page = client.get(consultation.get_absolute_url())
    assert "Follow this consultation" in page.content.decode()

    response = client.post(reverse("follow_consultation", args=[consultation.slug]))

    assert response.status_code == 302
    assert response["Location"] == f"{reverse('account_login')}?next={consultation.get_absolute_url()}"
    assert not Follow.objects.exists()


def test_a_signed_in_person_follows_and_unfollows_a_consultation(client, person):
    consultation = make_consultation()
    url = reverse("follow_consultation", args=[consultation.slug])

    response = client.post(url, follow=True)
    client.post(url)  # pressing twice is still one follow

    assert response.redirect_chain[-1][0] == consultation.get_absolute_url()
    page = response.content.decode()
    assert "You are following this consultation" in page
    assert "Stop following this consultation" in page
    assert Follow.objects.filter(user=person, consultation=consultation).count() == 1

    response = client.post(reverse("unfollow_consultation", args=[consultation.slug]), follow=True)

    assert "Follow this consultation" in response.content.decode()
    assert not Follow.objects.filter(user=person).exists()


def test_following_is_a_post_and_a_draft_cannot_be_followed(client, person):
    draft = make_consultation(phase="draft")
    assert client.post(reverse("follow_consultation", args=[draft.slug])).status_code == 404
    open_one = make_consultation()
    assert client.get(reverse("follow_consultation", args=[open_one.slug])).status_code == 405
    assert not Follow.objects.exists()


def test_the_consultation_page_links_to_its_department_page(client):
    consultation = make_consultation()
    page = client.get(consultation.get_absolute_url()).content.decode()
    assert reverse("department_detail", args=[consultation.department.slug]) in page


def test_the_department_page_lists_its_public_consultations_by_phase_and_no_drafts(client):
    department = make_department("Department for Fair Algorithms")
    open_one = make_consultation(phase="open", department=department, title="An open one")
    upcoming = make_consultation(phase="upcoming", department=department, title="An upcoming one")
    closed = make_consultation(phase="closed", department=department, title="A closed one")
    make_consultation(phase="draft", department=department, title="A secret draft")
    make_consultation(phase="open", title="Another department's")

    response = client.get(reverse("department_detail", args=[department.slug]))

    assert response.status_code == 200
    page = response.content.decode()
    assert "Department for Fair Algorithms" in page
    positions = [page.index(c.title) for c in (open_one, upcoming, closed)]
    assert positions == sorted(positions)
    assert page.index("Open consultations") < positions[0] < page.index("Opening soon") < positions[1]
    assert page.index("Closed consultations") < positions[2]
    assert "A secret draft" not in page
    assert "Another department&#x27;s" not in page and "Another department's" not in page
    assert "Follow this department" in page


def test_a_department_page_with_nothing_public_says_so(client):
    department = make_department()
    make_consultation(phase="draft", department=department)
    page = client.get(reverse("department_detail", args=[department.slug])).content.decode()
    for empty in ("There are no open consultations.", "There are no consultations opening soon."):
        assert empty in page
    assert "There are no closed consultations." in page


def test_the_department_page_of_an_unknown_department_is_not_found(client):
    assert client.get(reverse("department_detail", args=["no-such-department"])).status_code == 404


def test_a_person_follows_and_unfollows_a_department_and_anonymous_people_sign_in_first(client):
    department = make_department()
    page = reverse("department_detail", args=[department.slug])
    response = client.post(reverse("follow_department", args=[department.slug]))
    assert response["Location"] == f"{reverse('account_login')}?next={page}"

    user = make_user()
    client.force_login(user)
    response = client.post(reverse("follow_department", args=[department.slug]), follow=True)
    assert response.redirect_chain[-1][0] == page
    assert "Stop following this department" in response.content.decode()
    assert Follow.objects.filter(user=user, department=department).exists()

    client.post(reverse("unfollow_department", args=[department.slug]))
    assert not Follow.objects.filter(user=user).exists()


def test_the_following_page_lists_what_the_person_follows_with_buttons_to_stop(client, person):
    consultation = make_consultation(title="Chatbots for council tax")
    department = make_department("Department for Weather Forecasts")
    Follow.objects.create(user=person, consultation=consultation)
    Follow.objects.create(user=person, department=department)
    Follow.objects.create(user=make_user(), consultation=make_consultation(title="Someone else's"))

    response = client.get(reverse("following"))

    page = response.content.decode()
    assert "Chatbots for council tax" in page
    assert "Department for Weather Forecasts" in page
    assert "Someone else" not in page
    assert reverse("unfollow_consultation", args=[consultation.slug]) in page
    assert reverse("unfollow_department", args=[department.slug]) in page

    response = client.post(
        reverse("unfollow_consultation", args=[consultation.slug]), {"next": reverse("following")}, follow=True
    )
    assert response.redirect_chain[-1][0] == reverse("following")
    assert "You do not follow any consultations." in response.content.decode()


def test_unfollowing_never_sends_a_person_to_another_site(client, person):
    consultation = make_consultation()
    Follow.objects.create(user=person, consultation=consultation)
    response = client.post(
        reverse("unfollow_consultation", args=[consultation.slug]), {"next": "https://evil.example.com/"}
    )
    assert response["Location"] == consultation.get_absolute_url()


def test_the_following_and_preferences_pages_ask_anonymous_people_to_sign_in(client):
    for view in ("following", "notification_preferences"):
        response = client.get(reverse(view))
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("account_login"))


def test_preferences_start_with_every_email_straight_away_and_are_saved(client, person):
    page = client.get(reverse("notification_preferences")).content.decode()
    assert page.count("checked") == 4  # three kinds and "straight away"

    response = client.post(
        reverse("notification_preferences"), {"kinds": ["opening", "outcome"], "frequency": "daily"}, follow=True
    )

    assert response.redirect_chain[-1][0] == reverse("following")
    assert "We send you one email a day with everything new." in response.content.decode()
    preference = NotificationPreference.objects.get(user=person)
    assert (preference.notify_opening, preference.notify_closing, preference.notify_outcome) == (True, False, True)
    assert preference.frequency == "daily"


@pytest.mark.parametrize(
    ("data", "error"),
    [
        ({"kinds": ["opening"]}, "Select how often we should email you"),
        ({"frequency": "immediately"}, "Select which emails you want"),
        ({"kinds": ["opening"], "frequency": "hourly"}, "Select a valid choice"),
    ],
)
def test_preferences_with_a_problem_show_the_error_summary_and_save_nothing(client, person, data, error):
    response = client.post(reverse("notification_preferences"), data)

    assert response.status_code == 200
    page = response.content.decode()
    assert "govuk-error-summary" in page
    assert error in page
    assert "<title>Error:" in page
    assert not NotificationPreference.objects.exists()


def test_choosing_no_emails_needs_no_kind(client, person):
    client.post(reverse("notification_preferences"), {"frequency": "never"})
    preference = NotificationPreference.objects.get(user=person)
    assert preference.frequency == "never"
    assert preference.kinds == []
