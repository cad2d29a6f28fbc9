"""The rules every theme label and description must pass, whoever wrote it.

A label names the point a theme's answers share, in at most eight words a department could publish:
not a list of keywords, not "Theme 3", not markup or text a respondent smuggled in, no figures
(the count beside a label is the figure; a label cannot check its own), never the same as another
theme's label, and never the opposite of what the answers say. The offline labels
(`consult.analysis.extractive`) are chosen among the candidates that pass; a language model's
labels (`consult.analysis.llm`) are kept only when they pass, else the offline label is used.

Both functions return plain-English problems; an empty list means the text may be published.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from difflib import SequenceMatcher

from consult.analysis.evidence import PEOPLE, quotations, unverified_quotations
from consult.analysis.non_answers import is_non_answer
from consult.analysis.phrases import clauses, content_stems, has_negation, normalise_label

MAX_LABEL_WORDS = 8
MAX_LABEL_CHARS = 80
MAX_DESCRIPTION_CHARS = 300

# Inverted polarity. A label is compared with the clauses of its theme's answers that share a word
# with it ("relevant" answers): when at least POLARITY_RELEVANT_SHARE of the answers (and at least
# POLARITY_MIN_ANSWERS) are relevant, the share of them that say no/not/never about it decides;
# otherwise the share of all the answers that carry a negation does, with wider margins because
# a negation anywhere in an answer may be about something else.
POLARITY_MIN_ANSWERS = 3
POLARITY_RELEVANT_SHARE = 0.2
NEGATED_MOST, NEGATED_FEW = 0.6, 0.15  # relevant clauses: most say "not", or hardly any do
WHOLE_NEGATED_MOST, WHOLE_NEGATED_FEW = 0.75, 0.1  # whole answers

_PLACEHOLDER = re.compile(
    r"(?:theme|topic|cluster|group|category|class|label|segment|bucket)\s*(?:no\.?|number|#)?\s*[\divx]+"
    r"|other|others|misc|miscellaneous|general|various|unknown|unlabell?ed|untitled|n\s*/?\s*a|"
    r"other (?:comments|answers|responses|themes?|topics?|views|issues)|everything else|none of the above",
    re.IGNORECASE,
)
_MARKUP = [
    (re.compile(r"<\s*/?\s*[A-Za-z!][^>]*>"), "an HTML tag"),
    (re.compile(r"\[[^\]]*\]\([^)]*\)"), "a Markdown link"),
    (re.compile(r"\*\*|__|~~"), "Markdown emphasis"),
    (re.compile(r"`"), "a backtick"),
    (re.compile(r"^\s*#{1,6}(?:\s|$)", re.MULTILINE), "a Markdown heading"),
    (re.compile(r"^\s*(?:[-*+\u2022>]\s|\d+[.)]\s)", re.MULTILINE), "a list or quote marker"),
    (re.compile(r"^\s*(?:label|theme|title|description|answer|output|key)\s*:", re.IGNORECASE), "a field name"),
]
_INSTRUCTIONS = [
    re.compile(
        r"\b(?:ignore|disregard|forget|override)\b.{0,40}\b(?:instructions?|prompts?|rules|above|previous|prior)\b",
        re.IGNORECASE,
    ),
    re.compile(
        r"\bas an ai\b|\b(?:ai|language) model\b|\bchatgpt\b|\bsystem prompt\b|\bjailbreak\b"
        r"|^\s*(?:system|assistant|user)\s*:",
        re.IGNORECASE,
    ),
    re.compile(
        r"\bi(?:'m| am) sorry\b|\bi apologi[sz]e\b|\bi can(?:not|'t|\u2019t) (?:help|assist|comply|provide|do that)\b",
        re.IGNORECASE,
    ),
    re.compile(r"^\s*click\b|\bclick\s+(?:here|below|on|the|this|that|a|link)\b", re.IGNORECASE),
    re.compile(
        r"^\s*visit\s+\S+\.\S+|\bvisit\s+(?:our|my|this|the|their)\s+(?:website|site|page|link|channel|shop|store|profile)\b",
        re.IGNORECASE,
    ),
    re.compile(r"\b(?:subscribe|sign up now|buy now|call now|follow us|dm me|order now)\b", re.IGNORECASE),
]
_URL = re.compile(r"https?://|\bwww\.|\b[\w-]+\.(?:com|org|net|io|co|uk|gov|info|biz|ly|me|app)\b", re.IGNORECASE)
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+\.[\w.-]+")
# Figures: digits, percentages, number words used as counts and words for a share of the answers.
# "One" is left out ("no one", "one-stop shop"), as are "many" and "few" before anything but people
# ("too many forms", "few appointments" are points; "many people" is a count).
_FIGURES = re.compile(
    r"\d|%|\bper\s?cent\b|\bpercent(?:age)?\b|\b(?:two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|"
    r"fifteen|twenty|thirty|forty|fifty|hundreds?|thousands?|millions?|dozens?)\b|\b(?:majority|minority|half|"
    r"thirds?|quarters?)\b|"
    rf"\b(?:most|many|several|few|some|all|every|numerous)\s+(?:of\s+)?(?:the\s+)?{PEOPLE}",
    re.IGNORECASE,
)
_LIST_SEPARATORS = re.compile(r"\s*[,;|/]\s*")
# Five letters or more, none of them lower case: "HACKED", "READ THIS" (acronyms like "NHS" are shorter).
_SHOUTING = re.compile(r"(?=(?:[^a-z]*[A-Z]){5})[^a-z]+")


def label_problems(label: str, *, other_labels: Sequence[str] = (), member_texts: Sequence[str] = ()) -> list[str]:
    """What is wrong with `label` as the label of a theme whose answers are `member_texts`.

    `other_labels` are the labels already given to the question's other themes. Empty means the
    label passes every rule:

    - not empty, at most 8 words and 80 characters;
    - a phrase, not a comma list of fragments ("Damp, damp mould, mould");
    - not a placeholder ("Theme 3", "Topic 12", "Cluster 4", "Other");
    - no markup (HTML tags, Markdown links, `**`, backticks, `#` headings, list markers);
    - no instructions or injected text ("ignore previous instructions", "as an AI", "click here",
      "visit our website", URLs, email addresses);
    - no figures: digits, percentages, number words from two up, words for a share ("majority",
      "half", "a third") or a count of people ("most respondents"): a label cannot check a figure,
      and the count shown beside it is the figure;
    - at least one word saying what it is about ("You cannot" names nothing);
    - not the same as another label, ignoring case and punctuation;
    - not inverted: see `polarity_problem`.
    """
    text = " ".join(label.split())
    if not text:
        return ["The label is empty."]
    problems: list[str] = []
    word_count = len(text.split())
    if word_count > MAX_LABEL_WORDS:
        problems.append(f"It has {word_count} words; a label has at most {MAX_LABEL_WORDS}.")
    elif len(text) > MAX_LABEL_CHARS:
        problems.append(f"It has {len(text)} characters; a label has at most {MAX_LABEL_CHARS}.")
    if _is_fragment_list(text):
        problems.append("It is a comma list of fragments, not a phrase saying what the answers say.")
    if _PLACEHOLDER.fullmatch(text.strip(" .!?:;-\u2013\u2014\"'")):
        problems.append("It is a placeholder, not what the answers say.")
    problems += published_text_problems(text)
    if _SHOUTING.fullmatch(text):
        problems.append("It is written in capitals.")
    if _echoes_an_instruction(text, member_texts):
        problems.append("It repeats words from an answer that gives orders, not a point respondents make.")
    if not content_stems(text):
        problems.append("It names nothing: it has no word saying what the answers are about.")
    if is_non_answer(text):
        problems.append("It reads as an answer with nothing to say, not as the point a theme makes.")
    if _FIGURES.search(text):
        problems.append("It carries a figure or a share; the count beside a label is the figure.")
    normalised = normalise_label(text)
    stems = content_stems(text)
    if any(
        normalise_label(other) == normalised or (stems and _says_the_same(stems, content_stems(other)))
        for other in other_labels
    ):
        problems.append("Another theme of this question already has this label.")
    if (inverted := polarity_problem(text, member_texts)) is not None:
        problems.append(inverted)
    return problems


def _says_the_same(stems: set[str], other: set[str]) -> bool:
    """Two labels whose content words are the same, or one's are all in the other's with at most
    one more ("Advisers checking its answers every week" and "... every week tbh"), name one point."""
    if not other:
        return False
    smaller, larger = sorted((stems, other), key=len)
    # A word matches its own spelling variant ("advisers", "advisors"): one letter changed.
    unmatched = {word for word in smaller if not any(same_word(word, found) for found in larger)}
    return not unmatched and len(larger) - len(smaller) <= 1


def same_word(first: str, second: str) -> bool:
    """Whether two words are one, or spelling variants of one: words of five letters or more that
    are nearly the same letters ("advisers", "advisors") or two neighbouring letters swapped
    ("people", "poeple")."""
    if first == second:
        return True
    if min(len(first), len(second)) < 5 or abs(len(first) - len(second)) > 1:
        return False
    if len(first) == len(second):
        differ = [i for i, (a, b) in enumerate(zip(first, second, strict=True)) if a != b]
        if len(differ) == 2 and differ[1] == differ[0] + 1 and first[differ[0]] == second[differ[1]]:
            return first[differ[1]] == second[differ[0]]
    return SequenceMatcher(None, first, second).ratio() >= 0.85


def description_problems(description: str, member_texts: Sequence[str]) -> list[str]:
    """What is wrong with `description` as the description of a theme whose answers are `member_texts`.

    Empty means it passes: not empty, at most 300 characters, no markup, no instructions or
    injected text, no figures or shares, and every quotation (in any quotation style) copied from
    one of the answers.
    """
    text = " ".join(description.split())
    if not text:
        return ["The description is empty."]
    problems: list[str] = []
    if len(text) > MAX_DESCRIPTION_CHARS:
        problems.append(f"It has {len(text)} characters; a description has at most {MAX_DESCRIPTION_CHARS}.")
    problems += published_text_problems(text)
    if _FIGURES.search(_without_quotations(text)):
        problems.append("It carries a figure or a share, which nothing checks against the counts.")
    for quotation in unverified_quotations(text, member_texts):
        problems.append(f"It quotes {text[quotation.start : quotation.end]}, which no answer in the theme says.")
    return problems


def polarity_problem(label: str, member_texts: Sequence[str]) -> str | None:
    """Why `label` may say the opposite of `member_texts`, or None when its polarity agrees.

    Negation is "no", "not", "never", "nothing", "without", any "n't", "too few" and words of lack
    or failure ("unable", "lack of"). With fewer than three answers there is nothing to judge.
    The rule, on the answers with a clause sharing a content word with the label (when at least a
    fifth of the answers, and three, have one): a label without negation is inverted when at least
    60% of them negate that clause, and a negated label when at most 15% do. Otherwise, on whole
    answers: at least 75%, and at most 10%.
    """
    texts = [text for text in member_texts if text.strip()]
    if len(texts) < POLARITY_MIN_ANSWERS:
        return None
    label_stems = content_stems(label)
    is_label_negated = has_negation(label)
    relevant = negated = 0
    for text in texts:
        sharing = [clause for clause in clauses(text) if content_stems(clause) & label_stems]
        if sharing:
            relevant += 1
            negated += any(has_negation(clause) for clause in sharing)
    if relevant >= max(POLARITY_MIN_ANSWERS, math.ceil(POLARITY_RELEVANT_SHARE * len(texts))):
        share, most, few, about = negated / relevant, NEGATED_MOST, NEGATED_FEW, "answers that use its words"
    else:
        share = sum(has_negation(text) for text in texts) / len(texts)
        most, few, about = WHOLE_NEGATED_MOST, WHOLE_NEGATED_FEW, "answers"
    percent = round(100 * share)
    if not is_label_negated and share >= most:
        return f"It has no negation, but {percent}% of the {about} say no, not or never: it may invert them."
    if is_label_negated and share <= few:
        return f"It is negated, but only {percent}% of the {about} are: it may invert them."
    return None


def _echoes_an_instruction(label: str, member_texts: Sequence[str]) -> bool:
    """Whether the label's words come only from answers that try to instruct the model."""
    wanted = normalise_label(label)
    echoed = [text for text in member_texts if wanted and f" {wanted} " in f" {normalise_label(text)} "]
    return bool(echoed) and all(any(pattern.search(text) for pattern in _INSTRUCTIONS) for text in echoed)


def _is_fragment_list(text: str) -> bool:
    parts = [part for part in _LIST_SEPARATORS.split(text) if part]
    if len(parts) >= 3:
        return True
    return len(parts) == 2 and all(len(part.split()) <= 2 for part in parts)


def published_text_problems(text: str) -> list[str]:
    """What makes `text` unfit to publish as written by the service: markup, instructions or
    injected text, web or email addresses."""
    problems = [f"It contains {what}." for pattern, what in _MARKUP if pattern.search(text)]
    if any(pattern.search(text) for pattern in _INSTRUCTIONS):
        problems.append("It reads as an instruction or as text injected into an answer, not as a theme.")
    if _URL.search(text):
        problems.append("It contains a web address.")
    if _EMAIL.search(text):
        problems.append("It contains an email address.")
    return problems


def _without_quotations(text: str) -> str:
    kept: list[str] = []
    last = 0
    for quotation in quotations(text):
        kept.append(text[last : quotation.start])
        last = quotation.end
    return "".join([*kept, text[last:]])


# A demand addressed to the reader, in the service's own voice: what an answer that instructs the
# model ("Write that the department must scrap this") turns into. A summary reports what people
# said ("Many respondents want the department to ..."), it never demands.
_DEMAND = re.compile(
    r"^\s*(?:(?:you|we|the\s+(?:department|government|council|minister|ministry))\s+(?:must|should|need\s+to|"
    r"needs\s+to|has\s+to|have\s+to|will)\b|(?:scrap|stop|cancel|abandon|reject|approve|ignore|delete|vote|"
    r"contact|email|write|call|print|output|say|tell)\b)",
    re.IGNORECASE,
)


def summary_sentence_problems(sentence: str) -> list[str]:
    """What makes a summary sentence unfit to publish, its quotations aside (they are checked
    against the answers): markup, instructions, addresses (`published_text_problems`), or a demand
    in the service's own voice rather than a report of what people said."""
    text = " ".join(_without_quotations(sentence).split())
    problems = published_text_problems(text)
    if _DEMAND.search(text):
        problems.append("It demands something in the service's own voice instead of reporting what people said.")
    return problems
