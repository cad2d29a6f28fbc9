"""Asking the worker to count the analysis pages again, and its counting.

The pages keep their counts (`consult.queries.kept_counts`); a page whose counts are due for a
recount says so, and its view hands the `Recount` here. A finished run or mapping has the worker
count every analysis page before anyone asks. Where no worker shares the web processes' cache, the
pages count for themselves and nothing is sent.
"""

from __future__ import annotations

from consult import task_names
from consult.models import Consultation, Question
from consult.queries.kept_counts import Recount, counts_are_shared
from consult.queries.workspace.dashboard import dashboard, question_analysis
from consult.queries.workspace.fairness import fairness_page
from consult.services import outbox


def ask_for(recount: Recount | None) -> None:
    """Have the worker count a page again, as the page's read said (None: nothing is due)."""
    if recount is not None:
        outbox.send_now(task_names.COUNT_ANALYSIS, recount.consultation_id, recount.page, recount.question_id)


def after_change(consultation_id: int) -> None:
    """Have the worker count every analysis page of the consultation once the current transaction
    commits (after a run or a mapping), where its counts reach the pages."""
    if counts_are_shared():
        outbox.send_on_commit(task_names.COUNT_ANALYSIS, consultation_id)


def recount(recount: Recount) -> None:
    """Count one page's figures afresh into the cache (the worker's side of `ask_for`), or with no
    `page` every analysis page of the consultation."""
    consultation = Consultation.objects.filter(pk=recount.consultation_id).first()
    if consultation is None:
        return
    page = recount.page
    if page in ("", "dashboard"):
        dashboard(consultation, fresh=True)
    if page in ("", "fairness"):
        fairness_page(consultation, fresh=True)
    questions = consultation.questions.filter(kind=Question.Kind.FREE_TEXT)
    if page == "question":
        questions = questions.filter(pk=recount.question_id)
    elif page:
        questions = questions.none()
    for question in questions:
        question_analysis(consultation, question, fresh=True)
