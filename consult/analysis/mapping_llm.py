"""A language model decides the answers the mapping's classifier is unsure of, with verified evidence.

Only the answers the caller chooses (the least sure ones) are sent, `DECISION_BATCH` to a call, so
the cost grows with the classifier's uncertainty, not with the number of responses. The model sees
the question, the reviewed themes (key, label, description) and the answers as untrusted data
(`consult.analysis.prompts.data_block`), and must return, through a strict JSON schema, for each
answer the keys of the themes it belongs to (best first, none for Other) and a quotation copied
from the answer that shows why. A decision is kept only when that quotation is found in the answer
(compared as `extractive.normalise_quoted` does; an ellipsis may join fragments of the same
answer): a decision whose evidence was invented is dropped, and the caller keeps the classifier's
proposal for that answer. Keys the model invents are ignored. A model failure is logged, never
raised: its batch gets no decisions and the tokens it spent are still counted.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from consult.analysis.evidence import is_verbatim
from consult.analysis.llm import LanguageModel, ModelUnavailable, _ask, _Strict, _truncate
from consult.analysis.prompts import _UNTRUSTED_DATA_RULES as UNTRUSTED_DATA_RULES
from consult.analysis.prompts import _quoted, data_block
from consult.analysis.types import AnswerText, Usage

log = logging.getLogger(__name__)

MAPPING_PROMPT_VERSION = "2026-12-mapping.1"
DECISION_BATCH = 20
MAX_THEMES_PER_ANSWER = 3

MAPPING_SYSTEM = f"""You help UK government analysts code answers to a public consultation.
Officials have agreed a list of themes for one question. You decide which of those themes each answer belongs to.

{UNTRUSTED_DATA_RULES}

The data is a JSON object with the themes (key, label, description) and the answers (id, text).
For every answer, return:
- id: the answer's id, exactly as given;
- theme_keys: the keys of the themes the answer clearly belongs to, best fit first, at most \
{MAX_THEMES_PER_ANSWER}, chosen only from the keys given; an empty list when no theme fits;
- evidence: the words of the answer that show your decision, copied exactly from the answer (a short phrase or \
sentence, never reworded).

Judge only what the answer says; do not guess what a respondent meant beyond it. Return one entry for every answer."""

MAPPING_SCHEMA_NAME = "theme_decisions"
MAPPING_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "decisions": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "id": {"type": "integer"},
                    "theme_keys": {"type": "array", "items": {"type": "integer"}},
                    "evidence": {"type": "string"},
                },
                "required": ["id", "theme_keys", "evidence"],
                "additionalProperties": False,
            },
        }
    },
    "required": ["decisions"],
    "additionalProperties": False,
}


@dataclass(frozen=True)
class ThemeChoice:
    """A reviewed theme as the model sees it: `key` is the caller's id (a ReviewTheme's pk)."""

    key: int
    label: str
    description: str


@dataclass(frozen=True)
class ModelDecision:
    """The model's themes for one answer (best first; [] = Other) and its verified evidence."""

    answer_id: int
    theme_keys: list[int]
    evidence: str


class _DecisionOut(_Strict):
    id: int
    theme_keys: list[int]
    evidence: str


class _DecisionsOut(_Strict):
    decisions: list[_DecisionOut]


def mapping_request(question: str, themes: list[ThemeChoice], answers: list[AnswerText]) -> str:
    """The user message asking which of `themes` each of `answers` belongs to."""
    payload = {
        "themes": [{"key": theme.key, "label": theme.label, "description": theme.description} for theme in themes],
        "answers": [{"id": answer.id, "text": _truncate(answer.text)} for answer in answers],
    }
    # data_block frames a list; the themes travel with the answers so nothing sits outside the block.
    return (
        f"Consultation question: {_quoted(question)}\n\n"
        f"Decide the themes of these {len(answers)} answers.\n\n{data_block([payload])}"
    )


def decide_unsure(
    model: LanguageModel, question: str, themes: list[ThemeChoice], answers: list[AnswerText]
) -> tuple[list[ModelDecision], Usage]:
    """Ask the model about these answers only (batched); answers it could not decide are left out
    of the result, and the caller keeps the classifier's proposal for them. Never raises for a
    model failure (ModelUnavailable is caught, logged and its usage returned).

    `answers` are already redacted. Decisions come back in the order of `answers`; one is left out
    when the model skipped the answer, named only keys it was not given, or gave evidence that is
    not a quotation of the answer.
    """
    usage = Usage()
    asked = [answer for answer in dict((answer.id, answer) for answer in answers).values() if answer.text.strip()]
    if not asked or not themes:
        return [], usage
    known_keys = {theme.key for theme in themes}
    decided: dict[int, ModelDecision] = {}
    for start in range(0, len(asked), DECISION_BATCH):
        batch = asked[start : start + DECISION_BATCH]
        try:
            output, used = _ask(
                model,
                MAPPING_SYSTEM,
                mapping_request(question, themes, batch),
                MAPPING_SCHEMA_NAME,
                MAPPING_SCHEMA,
                _DecisionsOut,
            )
        except ModelUnavailable as error:
            log.warning("Leaving %d unsure answers to the classifier: %s", len(batch), error.reason)
            usage += error.usage
            continue
        usage += used
        decided.update(_checked_decisions(output, {answer.id: answer for answer in batch}, known_keys))
    return [decided[answer.id] for answer in asked if answer.id in decided], usage


def _checked_decisions(
    output: _DecisionsOut, batch: dict[int, AnswerText], known_keys: set[int]
) -> dict[int, ModelDecision]:
    """The decisions about answers of this batch whose evidence is a quotation of the answer."""
    accepted: dict[int, ModelDecision] = {}
    for item in output.decisions:
        answer = batch.get(item.id)
        if answer is None or item.id in accepted:
            continue
        keys = [key for key in dict.fromkeys(item.theme_keys) if key in known_keys][:MAX_THEMES_PER_ANSWER]
        if item.theme_keys and not keys:
            continue  # it named only themes that do not exist: that is no decision, not "Other"
        evidence = " ".join(item.evidence.split())
        if not is_verbatim(evidence, [answer.text]):
            log.info("Dropped the model's decision on answer %s: its evidence is not in the answer", item.id)
            continue
        accepted[item.id] = ModelDecision(answer_id=item.id, theme_keys=keys, evidence=evidence)
    return accepted
