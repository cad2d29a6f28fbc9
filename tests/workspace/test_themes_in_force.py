"""Which themes count for a question: the run's candidates until officials sign off and the
mapping finishes, then the reviewed themes with their active mappings."""

import pytest
from django.utils import timezone

from consult.models import Answer, ReviewTheme, ThemeMapping, ThemeSet
from consult.queries.themes import answer_themes, consultation_themes, mapping_changes
from tests.factories import make_consultation, make_response, make_run_with_themes, make_user

pytestmark = pytest.mark.django_db


def test_candidates_count_until_the_reviewed_set_is_signed_off_and_mapped() -> None:
    consultation = make_consultation(phase="closed")
    why = consultation.questions.get(position=2)
    answers = [make_response(consultation, {why: f"Reason {n}"}).answers.get() for n in range(4)]
    run = make_run_with_themes(why, {"Speed": answers[:3], "Trust": answers[3:]})

    in_force = consultation_themes(consultation)[why.pk]
    assert in_force.source == "candidate"
    assert [(t.label, t.count) for t in in_force.themes] == [("Speed", 3), ("Trust", 1)]

    theme_set = ThemeSet.objects.create(question=why, source_run=run)
    speed = ReviewTheme.objects.create(theme_set=theme_set, position=1, label="Faster answers")
    other = ReviewTheme.objects.create(theme_set=theme_set, position=2, label="Other", is_other=True)
    for answer in answers[:2]:
        ThemeMapping.objects.create(theme=speed, answer=answer, source="ai")
    ThemeMapping.objects.create(theme=speed, answer=answers[2], source="ai", is_active=False)
    ThemeMapping.objects.create(theme=other, answer=answers[2], source="official")
    ThemeMapping.objects.create(theme=other, answer=answers[3], source="ai")
    assert consultation_themes(consultation)[why.pk].source == "candidate"  # still in review

    theme_set.status, theme_set.mapping_status = ThemeSet.Status.SIGNED_OFF, ThemeSet.MappingStatus.DONE
    theme_set.save()
    Answer.objects.filter(pk=answers[3].pk).update(visibility=Answer.Visibility.HIDDEN)

    in_force = consultation_themes(consultation)[why.pk]
    assert in_force.source == "reviewed"
    assert [(t.label, t.count, t.is_other) for t in in_force.themes] == [
        ("Faster answers", 2, False),
        ("Other", 1, True),
    ]
    assert answer_themes(consultation)[answers[2].pk] == ["Other"]
    assert answer_themes(consultation, [answers[0].pk]) == {answers[0].pk: ["Faster answers"]}


def test_the_share_of_ai_assignments_officials_changed_counts_removals_and_additions() -> None:
    consultation = make_consultation(phase="closed")
    why = consultation.questions.get(position=2)
    answers = [make_response(consultation, {why: f"Reason {n}"}).answers.get() for n in range(4)]
    theme_set = ThemeSet.objects.create(question=why)
    speed = ReviewTheme.objects.create(theme_set=theme_set, position=1, label="Speed")
    trust = ReviewTheme.objects.create(theme_set=theme_set, position=2, label="Trust")
    for answer in answers:
        ThemeMapping.objects.create(theme=speed, answer=answer, source="ai")
    official = make_user()
    now = timezone.now()
    ThemeMapping.objects.filter(answer=answers[0]).update(is_active=False, removed_by=official, removed_at=now)
    ThemeMapping.objects.create(theme=trust, answer=answers[1], source="official")  # added
    ThemeMapping.objects.create(theme=trust, answer=answers[2], source="official", is_active=False)  # undone
    # A later mapping no longer proposing an AI row is not an official's change.
    ThemeMapping.objects.create(theme=trust, answer=answers[3], source="ai", is_active=False, removed_at=now)

    changes = mapping_changes(consultation)[why.pk]
    assert (changes.ai_mapped_answers, changes.changed_answers) == (4, 2)
    assert changes.changed_share == 0.5
