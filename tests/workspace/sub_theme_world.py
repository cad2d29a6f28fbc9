"""A question large enough, in the analysis's eyes, for sub-themes: a run whose theme "Speed" holds
four answers, two of them in the sub-theme "Answers by phone" and one in "Out of office hours", whose
theme "Human contact" holds one answer and no sub-theme, and whose one answer that fits no theme is
the sub-theme "Data safety" with no parent. Made row by row, as the run would write them."""

from __future__ import annotations

from dataclasses import dataclass

from consult.models import (
    AnalysisRun,
    Answer,
    Consultation,
    Question,
    SubTheme,
    SubThemeAssignment,
    Theme,
    User,
)
from tests.factories import make_consultation, make_official, make_response, make_run_with_themes

TEXTS = [
    "Quicker answers on the phone line",
    "I ring them and wait an hour, so quicker by phone",
    "Answers at night when the office is shut",
    "It would be faster",
    "People need a person to talk to",
    "My data would not be safe with it",
]


def make_sub_theme(
    run: AnalysisRun,
    question: Question,
    parent: Theme | None,
    key: int,
    label: str,
    answers: list[Answer],
    description: str = "",
) -> SubTheme:
    """A sub-theme with `answers` as its members and representatives, as a run saves one."""
    sub_theme = SubTheme.objects.create(
        run=run,
        question=question,
        parent=parent,
        key=key,
        label=label,
        description=description,
        label_source=Theme.LabelSource.EXTRACTIVE,
        keywords=label.lower().split()[:3],
        answer_count=len(answers),
        centroid=b"",
        threshold=0.5,
    )
    sub_theme.representatives.set(answers)
    SubThemeAssignment.objects.bulk_create(SubThemeAssignment(sub_theme=sub_theme, answer=a) for a in answers)
    return sub_theme


@dataclass
class SubThemeWorld:
    consultation: Consultation
    why: Question
    answers: list[Answer]  # to "why", in the order of TEXTS
    run: AnalysisRun
    speed: Theme
    by_phone: SubTheme
    at_night: SubTheme
    data_safety: SubTheme  # among the answers that fit no theme
    lead: User
    analyst: User


def build_sub_theme_world(*, with_sub_themes: bool = True) -> SubThemeWorld:
    consultation = make_consultation(phase="closed")
    questions = {q.position: q for q in consultation.questions.all()}
    why = questions[2]
    answers = [make_response(consultation, {why: text}).answers.get(question=why) for text in TEXTS]
    run = make_run_with_themes(why, {"Speed": answers[:4], "Human contact": answers[4:5]})
    speed = run.themes.get(label="Speed")
    sub_themes: list[SubTheme | None] = [None, None, None]
    if with_sub_themes:
        # Keys as the run numbers them, largest first; made out of that order to prove the sorting.
        sub_themes = [
            make_sub_theme(run, why, speed, 2, "Out of office hours", answers[2:3]),
            make_sub_theme(
                run, why, speed, 1, "Answers by phone", answers[:2], description="Quicker answers on the phone line."
            ),
            make_sub_theme(run, why, None, 3, "Data safety", answers[5:6], description="Worries about their data."),
        ]
    at_night, by_phone, data_safety = sub_themes
    return SubThemeWorld(
        consultation,
        why,
        answers,
        run,
        speed,
        by_phone,  # type: ignore[arg-type]
        at_night,  # type: ignore[arg-type]
        data_safety,  # type: ignore[arg-type]
        make_official(consultation.department, role="lead"),
        make_official(consultation.department, role="analyst"),
    )
