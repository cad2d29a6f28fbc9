"""Theme labels and cited summaries by a language model, with the extractive path as fallback.

The model is reached through the official openai client (OpenAI, Azure OpenAI or any compatible
base URL) behind the small `LanguageModel` protocol. Cost grows with themes, not answers: each
call carries at most ten themes and a bounded, truncated sample of each theme's answers. Output is
fixed by a strict JSON schema, parsed with pydantic and then checked against content rules: labels
and descriptions against the same rules as the offline ones (`consult.analysis.labels`), summary
sentences for citations among the answers shown, verbatim quotes in any quotation style and figures
that match the counts (`consult.analysis.evidence`). Whatever the model cannot deliver, after the
client's retries and one retry of ours on malformed output, is written by
`consult.analysis.extractive` instead, so a run never ends half-written.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any, Protocol, TypeVar

import numpy as np
from pydantic import BaseModel, ConfigDict, ValidationError

from consult.analysis.evidence import Quotation, figure_problems, unverified_quotations
from consult.analysis.extractive import extractive_label, extractive_summary, theme_size
from consult.analysis.labels import description_problems, label_problems, summary_sentence_problems
from consult.analysis.prompts import (
    LABEL_SCHEMA,
    LABEL_SCHEMA_NAME,
    LABEL_SYSTEM,
    PROMPT_VERSION,
    SUMMARY_SCHEMA,
    SUMMARY_SCHEMA_NAME,
    SUMMARY_SYSTEM,
    label_request,
    summary_request,
)
from consult.analysis.types import AnswerText, CitedSentence, Summary, TextSource, Theme, Usage

__all__ = [
    "ENV_VARIABLES",
    "PROMPT_VERSION",
    "LanguageModel",
    "ModelSettings",
    "ModelUnavailable",
    "OpenAIChatModel",
    "label_themes",
    "summarise",
]

log = logging.getLogger(__name__)

ENV_VARIABLES: dict[str, str] = {
    "OPENAI_API_KEY": "API key for OpenAI or an OpenAI-compatible endpoint; without any key the analysis runs offline.",
    "OPENAI_BASE_URL": "Base URL of an OpenAI-compatible endpoint (default https://api.openai.com/v1).",
    "OPENAI_MODEL": "Model name for labels and summaries (default gpt-4o-mini); must support JSON-schema output.",
    "AZURE_OPENAI_ENDPOINT": "Azure OpenAI resource URL, e.g. https://example.openai.azure.com; selects Azure.",
    "AZURE_OPENAI_API_KEY": "Azure OpenAI API key (OPENAI_API_KEY is used when this is not set).",
    "AZURE_OPENAI_API_VERSION": "Azure OpenAI API version (default 2024-10-21).",
    "AZURE_OPENAI_DEPLOYMENT": "Azure OpenAI deployment name (default: OPENAI_MODEL).",
    "LLM_TIMEOUT_SECONDS": "Seconds to wait for one model call before retrying (default 60).",
    "LLM_MAX_RETRIES": "Retries, with exponential backoff, after a timeout, 429 or 5xx (default 4).",
    "LLM_PRICE_INPUT_PER_MILLION": "Price of a million prompt tokens, for the recorded cost (default 0).",
    "LLM_PRICE_OUTPUT_PER_MILLION": "Price of a million completion tokens, for the recorded cost (default 0).",
}

DEFAULT_MODEL = "gpt-4o-mini"
DEFAULT_BASE_URL = "https://api.openai.com/v1"
DEFAULT_AZURE_API_VERSION = "2024-10-21"  # the first GA version with JSON-schema structured outputs

LABEL_BATCH = 10
MAX_ANSWER_CHARS = 600
SUMMARY_MAX_THEMES = 20
SUMMARY_MAX_SENTENCES = 8
OUTPUT_RETRIES = 1
# The rules judge a model's label on this many of the theme's answers (its sample first).
JUDGED_ANSWERS = 200


@dataclass(frozen=True)
class ModelSettings:
    """How to reach the language model; `api_key` is kept out of repr so it never reaches a log."""

    api_key: str = field(repr=False)
    model: str = DEFAULT_MODEL
    base_url: str | None = None
    azure_endpoint: str | None = None
    azure_api_version: str | None = None
    azure_deployment: str | None = None
    timeout_seconds: float = 60.0
    max_retries: int = 4
    price_per_million_input: float = 0.0
    price_per_million_output: float = 0.0

    @classmethod
    def from_env(cls, environ: Mapping[str, str]) -> ModelSettings | None:
        """Settings from the variables in ENV_VARIABLES, or None (offline) when no key is set.

        An empty variable counts as unset. A number that does not parse raises ValueError naming
        the variable, so a misconfigured deployment fails at start-up rather than mid-analysis.
        """
        env = {name: value.strip() for name, value in environ.items() if name in ENV_VARIABLES and value.strip()}
        model = env.get("OPENAI_MODEL", DEFAULT_MODEL)
        numbers = {
            "timeout_seconds": _number(env, "LLM_TIMEOUT_SECONDS", 60.0),
            "max_retries": int(_number(env, "LLM_MAX_RETRIES", 4)),
            "price_per_million_input": _number(env, "LLM_PRICE_INPUT_PER_MILLION", 0.0),
            "price_per_million_output": _number(env, "LLM_PRICE_OUTPUT_PER_MILLION", 0.0),
        }
        if "AZURE_OPENAI_ENDPOINT" in env:
            key = env.get("AZURE_OPENAI_API_KEY") or env.get("OPENAI_API_KEY")
            if not key:
                return None
            return cls(
                api_key=key,
                model=model,
                azure_endpoint=env["AZURE_OPENAI_ENDPOINT"],
                azure_api_version=env.get("AZURE_OPENAI_API_VERSION", DEFAULT_AZURE_API_VERSION),
                azure_deployment=env.get("AZURE_OPENAI_DEPLOYMENT", model),
                **numbers,
            )
        if "OPENAI_API_KEY" not in env:
            return None
        return cls(api_key=env["OPENAI_API_KEY"], model=model, base_url=env.get("OPENAI_BASE_URL"), **numbers)

    def cost(self, prompt_tokens: int, completion_tokens: int) -> float:
        """The estimated price of one call, from the configured prices per million tokens."""
        return (prompt_tokens * self.price_per_million_input + completion_tokens * self.price_per_million_output) / 1e6


def _number(env: Mapping[str, str], name: str, default: float) -> float:
    if name not in env:
        return default
    try:
        value = float(env[name])
    except ValueError:
        raise ValueError(f"{name} must be a number, not {env[name]!r}") from None
    if value < 0:
        raise ValueError(f"{name} must not be negative")
    return value


class ModelUnavailable(Exception):
    """The model gave no usable answer; `usage` still counts the tokens that were spent on trying."""

    def __init__(self, reason: str, usage: Usage | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.usage = usage or Usage()


class MalformedOutput(ModelUnavailable):
    """The model answered, but not with a JSON object; worth one more try."""


class LanguageModel(Protocol):
    """A model that answers a system and a user message with JSON following `schema`."""

    name: str

    def complete_json(
        self, system: str, user: str, schema_name: str, schema: dict[str, Any]
    ) -> tuple[dict[str, Any], Usage]:
        """The decoded JSON object and what the call cost; raises ModelUnavailable."""
        ...


class OpenAIChatModel:
    """`LanguageModel` over the chat completions API of OpenAI, Azure OpenAI or a compatible server.

    The client retries timeouts, 429 and 5xx itself, with exponential backoff that honours
    Retry-After, up to `settings.max_retries` times; whatever still fails becomes ModelUnavailable.
    """

    def __init__(self, settings: ModelSettings) -> None:
        # Imported here so that importing the analysis package (and the web process) stays light.
        import openai

        self.settings = settings
        self._error_type: type[Exception] = openai.OpenAIError
        if settings.azure_endpoint:
            self._model = settings.azure_deployment or settings.model
            self.name = f"azure/{self._model}"
            self._client: Any = openai.AzureOpenAI(
                api_key=settings.api_key,
                azure_endpoint=settings.azure_endpoint,
                azure_deployment=self._model,
                api_version=settings.azure_api_version or DEFAULT_AZURE_API_VERSION,
                timeout=settings.timeout_seconds,
                max_retries=settings.max_retries,
            )
        else:
            self._model = self.name = settings.model
            # The base URL is always passed so the client never picks one up from the process
            # environment behind the settings' back.
            self._client = openai.OpenAI(
                api_key=settings.api_key,
                base_url=settings.base_url or DEFAULT_BASE_URL,
                timeout=settings.timeout_seconds,
                max_retries=settings.max_retries,
            )

    def complete_json(
        self, system: str, user: str, schema_name: str, schema: dict[str, Any]
    ) -> tuple[dict[str, Any], Usage]:
        """One chat completion at temperature 0 whose output must follow `schema` (strict mode)."""
        try:
            completion = self._client.chat.completions.create(
                model=self._model,
                messages=[{"role": "system", "content": system}, {"role": "user", "content": user}],
                temperature=0,
                response_format={
                    "type": "json_schema",
                    "json_schema": {"name": schema_name, "schema": schema, "strict": True},
                },
            )
        except self._error_type as error:
            status = getattr(error, "status_code", None)
            raise ModelUnavailable(f"{type(error).__name__}{f' {status}' if status else ''}") from error
        tokens = completion.usage
        prompt_tokens = tokens.prompt_tokens if tokens else 0
        completion_tokens = tokens.completion_tokens if tokens else 0
        usage = Usage(prompt_tokens, completion_tokens, 1, self.settings.cost(prompt_tokens, completion_tokens))
        message = completion.choices[0].message if completion.choices else None
        if message is None or not message.content:
            raise MalformedOutput("the model refused or returned nothing", usage)
        try:
            data = json.loads(message.content)
        except json.JSONDecodeError:
            raise MalformedOutput("the model returned text that is not JSON", usage) from None
        if not isinstance(data, dict):
            raise MalformedOutput("the model returned JSON that is not an object", usage)
        return data, usage


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)


class _LabelOut(_Strict):
    key: int
    label: str
    description: str


class _LabelsOut(_Strict):
    themes: list[_LabelOut]


class _SentenceOut(_Strict):
    text: str
    answer_ids: list[int]


class _SummaryOut(_Strict):
    sentences: list[_SentenceOut]


_Output = TypeVar("_Output", bound=BaseModel)


def _ask(
    model: LanguageModel, system: str, user: str, name: str, schema: dict[str, Any], output: type[_Output]
) -> tuple[_Output, Usage]:
    """Ask once, and once more if the answer is not JSON or not the schema's shape."""
    usage = Usage()
    reason = ""
    for _ in range(1 + OUTPUT_RETRIES):
        try:
            data, used = model.complete_json(system, user, name, schema)
        except MalformedOutput as error:
            usage, reason = usage + error.usage, error.reason
            continue
        except ModelUnavailable as error:
            raise ModelUnavailable(error.reason, usage + error.usage) from error
        usage += used
        try:
            return output.model_validate(data), usage
        except ValidationError as error:
            reason = f"the model's JSON did not match the {name} schema ({error.error_count()} errors)"
    raise ModelUnavailable(reason, usage)


def _sample(theme: Theme, answers: Mapping[int, AnswerText], size: int) -> list[dict[str, Any]]:
    """Up to `size` answers of `theme`: representatives first, then evenly spread members.

    The spread is by position in `member_ids`, so it is deterministic; each text is truncated so a
    long answer cannot crowd out the others or grow the bill.
    """
    usable = [answer_id for answer_id in theme.member_ids if _has_text(answers, answer_id)]
    chosen = [answer_id for answer_id in dict.fromkeys(theme.representative_ids) if _has_text(answers, answer_id)]
    chosen = chosen[:size]
    already = set(chosen)
    rest = [answer_id for answer_id in usable if answer_id not in already]
    wanted = min(size - len(chosen), len(rest))
    chosen += [rest[index * len(rest) // wanted] for index in range(wanted)] if wanted > 0 else []
    return [{"id": answer_id, "text": _truncate(answers[answer_id].text)} for answer_id in chosen]


def _has_text(answers: Mapping[int, AnswerText], answer_id: int) -> bool:
    answer = answers.get(answer_id)
    return answer is not None and bool(answer.text.strip())


def _truncate(text: str) -> str:
    flat = " ".join(text.split())
    if len(flat) <= MAX_ANSWER_CHARS:
        return flat
    return flat[:MAX_ANSWER_CHARS].rsplit(" ", 1)[0] + "\u2026"


def label_themes(
    model: LanguageModel | None,
    question: str,
    themes: list[Theme],
    answers: Mapping[int, AnswerText],
    *,
    vectors: Mapping[int, np.ndarray] | None = None,
    encode: Callable[[list[str]], np.ndarray] | None = None,
    sample_size: int = 8,
) -> tuple[list[Theme], Usage]:
    """Label and describe each theme, in the order given, with the tokens and cost spent.

    One model call per ten themes, each theme shown by its keywords and at most `sample_size` of its
    answers. A theme keeps the model's label (`label_source=MODEL`) only when the label passes
    `label_problems` against the theme's answers and the labels the question's earlier themes got,
    and its description is one sentence that passes `description_problems`. Every other theme (no
    model, ModelUnavailable for its batch, or a label or description that breaks a rule, which is
    logged) gets the extractive label, chosen so that no two themes share one; `vectors` (the
    answers' embeddings by id) and `encode` (to embed candidate phrases) let it pick by closeness
    to each theme's centre.
    """
    proposed: dict[int, _LabelOut] = {}
    usage = Usage()
    if model is not None:
        for start in range(0, len(themes), LABEL_BATCH):
            batch = themes[start : start + LABEL_BATCH]
            try:
                answered, used = _model_labels(model, question, batch, answers, sample_size)
            except ModelUnavailable as error:
                log.warning("Labelling %d themes without the model: %s", len(batch), error.reason)
                answered, used = {}, error.usage
            proposed.update(answered)
            usage += used
    labelled: list[Theme] = []
    for theme in themes:
        taken = [done.label for done in labelled]
        item = proposed.get(theme.key)
        if item is not None:
            label, description = " ".join(item.label.split()).rstrip("."), " ".join(item.description.split())
            problems = _model_text_problems(label, description, theme, answers, taken, sample_size)
            if not problems:
                labelled.append(replace(theme, label=label, description=description, label_source=TextSource.MODEL))
                continue
            log.info("The model's label %r for theme %s was not used: %s", label, theme.key, " ".join(problems))
            usage += Usage(rejected_labels=1)
        label, description = extractive_label(theme, answers, vectors=vectors, encode=encode, taken=taken)
        labelled.append(replace(theme, label=label, description=description, label_source=TextSource.EXTRACTIVE))
    return labelled, usage


def _model_labels(
    model: LanguageModel, question: str, batch: list[Theme], answers: Mapping[int, AnswerText], sample_size: int
) -> tuple[dict[int, _LabelOut], Usage]:
    """One call for a batch of themes: the model's first answer for each key it was asked about."""
    wanted = {theme.key for theme in batch}
    payload = [
        {
            "key": theme.key,
            "keywords": theme.keywords[:10],
            "answer_count": len(theme.member_ids),
            "answers": _sample(theme, answers, sample_size),
        }
        for theme in batch
    ]
    user = label_request(question, payload)
    output, usage = _ask(model, LABEL_SYSTEM, user, LABEL_SCHEMA_NAME, LABEL_SCHEMA, _LabelsOut)
    answered: dict[int, _LabelOut] = {}
    for item in output.themes:
        if item.key in wanted and item.key not in answered:
            answered[item.key] = item
    return answered, usage


def _model_text_problems(
    label: str,
    description: str,
    theme: Theme,
    answers: Mapping[int, AnswerText],
    taken: list[str],
    sample_size: int,
) -> list[str]:
    """Why the model's label or description for `theme` cannot be published (empty when it can)."""
    shown = [answer["id"] for answer in _sample(theme, answers, sample_size)]
    judged = list(dict.fromkeys([*shown, *theme.member_ids]))[:JUDGED_ANSWERS]
    member_texts = [answers[answer_id].text for answer_id in judged if _has_text(answers, answer_id)]
    problems = label_problems(label, other_labels=taken, member_texts=member_texts)
    problems += [f"Description: {problem}" for problem in description_problems(description, member_texts)]
    if not _is_one_sentence(description):
        problems.append("Description: it is not one sentence.")
    return problems


# A sentence ends at . ! or ? (perhaps closed by a quote or bracket) followed by a new one starting.
_SENTENCE_BREAK = re.compile(r"[.!?][\"'\u201d)]*\s+[\"'\u201c(]*[A-Z0-9]")


def _is_one_sentence(text: str) -> bool:
    return (
        len(text) > 0 and re.search(r"[.!?][\"'\u201d)]*$", text) is not None and _SENTENCE_BREAK.search(text) is None
    )


def summarise(
    model: LanguageModel | None,
    title: str,
    themes: list[Theme],
    answers: Mapping[int, AnswerText],
    *,
    counts: Mapping[int, int] | None = None,
    sample_size: int = 5,
    total: int | None = None,
) -> tuple[Summary, Usage]:
    """A 3-8 sentence summary of the answers in `themes` in which every sentence cites its answers.

    Works for one question, or for a consultation when given the themes of all its questions. The
    model sees the number of answers, the largest themes' labels, counts (`counts` by theme key,
    else member counts) and at most `sample_size` answers each; it may cite only answers it was
    shown. Quotes, in any quotation style, are checked verbatim against the sentence's cited answers
    and removed (and counted in `dropped_quotes`) when they do not match. A sentence whose figures
    or shares the counts do not bear out (`consult.analysis.evidence.figure_problems`: the total is
    the number of `answers`) is dropped and counted in `dropped_figures`. Without a model, when it
    is unavailable, or when no sentence survives the checks, the result is the extractive summary.
    `total`, when given, is the number of answers, of which `answers` holds a sample (the texts
    the model may be shown and cite) for a large question.
    """
    if model is None or not themes:
        return extractive_summary(title, themes, answers, counts, total=total), Usage()
    largest = sorted(themes, key=lambda theme: (-theme_size(theme, counts), theme.key))[:SUMMARY_MAX_THEMES]
    payload = [
        {
            "key": theme.key,
            "label": theme.label or extractive_label(theme, answers)[0],
            "response_count": theme_size(theme, counts),
            "answers": _sample(theme, answers, sample_size),
        }
        for theme in largest
    ]
    counted = _Counted(
        total=len(answers) if total is None else total,
        sizes={item["key"]: item["response_count"] for item in payload},
        theme_of={answer["id"]: item["key"] for item in payload for answer in item["answers"]},
    )
    request = summary_request(title, payload, counted.total)
    try:
        output, usage = _ask(model, SUMMARY_SYSTEM, request, SUMMARY_SCHEMA_NAME, SUMMARY_SCHEMA, _SummaryOut)
    except ModelUnavailable as error:
        log.warning("Summarising %r without the model: %s", title, error.reason)
        return extractive_summary(title, themes, answers, counts, total=total), error.usage
    summary = _checked_summary(output, counted, answers)
    if not summary.sentences:
        fallback = extractive_summary(title, themes, answers, counts, total=total)
        dropped = {
            "dropped_quotes": summary.dropped_quotes,
            "dropped_figures": summary.dropped_figures,
            "dropped_unsafe": summary.dropped_unsafe,
        }
        return replace(fallback, **dropped), usage
    return summary, usage


@dataclass(frozen=True)
class _Counted:
    """The counts a summary was written from: all answers, each theme's size, and each shown answer's theme."""

    total: int
    sizes: Mapping[int, int]
    theme_of: Mapping[int, int]


def _checked_summary(output: _SummaryOut, counted: _Counted, answers: Mapping[int, AnswerText]) -> Summary:
    """Keep the sentences that cite answers the model was shown, with only verbatim quotes and true figures."""
    sentences: list[CitedSentence] = []
    dropped_quotes = dropped_figures = dropped_unsafe = 0
    for item in output.sentences:
        cited = [answer_id for answer_id in dict.fromkeys(item.answer_ids) if answer_id in counted.theme_of]
        text = " ".join(item.text.split())
        if not cited or not text:
            continue
        cited_texts = [answers[answer_id].text for answer_id in cited]
        text, fabricated = _without_unverified_quotes(text, cited_texts)
        dropped_quotes += fabricated
        if text is None:
            continue
        unsafe = summary_sentence_problems(text)
        if unsafe:
            log.info("Summary sentence dropped: %s", " ".join(unsafe))
            dropped_unsafe += 1
            continue
        cited_themes = sorted({counted.theme_of[answer_id] for answer_id in cited})
        wrong = figure_problems(
            text,
            total=counted.total,
            theme_sizes=list(counted.sizes.values()),
            cited_theme_sizes=[counted.sizes[key] for key in cited_themes],
            cited_texts=cited_texts,
        )
        if wrong:
            log.info("Summary sentence dropped, its figures do not match the counts: %s", " ".join(wrong))
            dropped_figures += 1
            continue
        if len(sentences) < SUMMARY_MAX_SENTENCES:
            sentences.append(CitedSentence(text=text, answer_ids=cited))
    return Summary(
        sentences=sentences,
        source=TextSource.MODEL,
        dropped_quotes=dropped_quotes,
        dropped_figures=dropped_figures,
        dropped_unsafe=dropped_unsafe,
    )


# Words that introduce a trailing example; with the quote gone, the sentence still reads without them.
# A bare colon or comma is not enough: 'One person said: "x".' would be left as 'One person said.'
_LEAD_IN = re.compile(
    r"^(?P<kept>.*?\S)[\s,:;\u2013\u2014-]*\b(?:such as|for example|for instance|e\.g\.|including)[\s,:]*$",
    re.IGNORECASE,
)


def _without_unverified_quotes(sentence: str, cited_texts: list[str]) -> tuple[str | None, int]:
    """The sentence with its unverifiable quotes removed (None if it no longer reads), and their number.

    Quotes in every style count ("...", \u201c...\u201d, \u2018...\u2019, '...', \u00ab...\u00bb,
    \u201e...\u201c). A quote can go cleanly when it is a trailing example ('..., such as "x".') or
    in brackets; anywhere else it carries the sentence's meaning, so the sentence goes with it.
    """
    unverified: list[Quotation] = unverified_quotations(sentence, cited_texts)
    text = sentence
    for quotation in reversed(unverified):
        before, after = text[: quotation.start], text[quotation.end :]
        if before.rstrip().endswith("(") and after.lstrip().startswith(")"):
            text = before.rstrip()[:-1].rstrip() + after.lstrip()[1:]
        elif after.strip() in {"", ".", "!", "?"} and (lead_in := _LEAD_IN.match(before)):
            text = lead_in["kept"].rstrip(",:;") + (after.strip() or ".")
        else:
            return None, len(unverified)
    if len(text.split()) < 3:
        return None, len(unverified)
    return text, len(unverified)
