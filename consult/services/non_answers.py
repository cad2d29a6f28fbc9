"""Officials' decisions about answers with nothing to say ("N/A", "See above", "No comment").

The rule in `consult.analysis.non_answers` marks them when an answer is processed; an official may
decide otherwise either way. A decision changes the counts at once (the pages' kept counts are keyed
on the latest one, `queries.counting.latest_non_answer_decision`) and the themes at the next run or
mapping, which leave non-answers out.
"""

from __future__ import annotations

from django.db import transaction

from consult.json_types import JSONObject
from consult.models import Answer, User
from consult.queries.counting import NON_ANSWER_DECISION
from consult.services.audit import record


def _state(answer: Answer) -> JSONObject:
    return {
        "answer": answer.pk,
        "non_answer_override": answer.non_answer_override,
        "non_answer_detected": answer.non_answer_detected,
        "is_non_answer": answer.is_non_answer,
    }


def set_non_answer(answer: Answer, actor: User, *, is_non_answer: bool | None) -> bool:
    """Record an official's decision that `answer` says nothing of substance (True), that it does
    (False), or that the rule decides again (None), with an audit event of the state before and
    after. Returns False, recording nothing, when the decision is already the one in force."""
    with transaction.atomic():
        locked = (
            Answer.objects.select_for_update(of=("self",)).select_related("response__consultation").get(pk=answer.pk)
        )
        if locked.non_answer_override == is_non_answer:
            return False
        before = _state(locked)
        locked.non_answer_override = is_non_answer
        # Not save(): the answer's text is unchanged, so its `updated_at` (which says whether a run
        # read it, and whether a moderator's decision still stands) must stay as it is.
        Answer.objects.filter(pk=locked.pk).update(non_answer_override=is_non_answer)
        record(locked.response.consultation, actor, NON_ANSWER_DECISION, locked, before=before, after=_state(locked))
    answer.non_answer_override = is_non_answer
    return True
