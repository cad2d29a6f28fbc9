"""Words, negation and clauses of answers: what labels are cut from and checked against.

Everything here is plain string work with no model, so it is cheap, deterministic and shared by
the offline labels (`consult.analysis.extractive`) and the rules every label must pass
(`consult.analysis.labels`). Negation is never thrown away: "not", "no", "never", "nothing",
"without" and every "n't" are words that carry meaning, not stop words.
"""

from __future__ import annotations

import re


def _word_set(spaced: str) -> frozenset[str]:
    return frozenset(spaced.split())


# Words that turn a point into its opposite. Informal spellings without the apostrophe count too.
NEGATORS = frozenset(
    {"not", "no", "never", "nothing", "none", "nobody", "nowhere", "neither", "nor", "without", "cannot"}
    | {"noone", "nope", "dont", "didnt", "cant", "wont", "isnt", "doesnt", "wasnt", "arent", "werent"}
    | {"couldnt", "shouldnt", "wouldnt", "havent", "hasnt", "hadnt", "aint"}
    # Welsh: dim (no, nothing), ddim (not), nid/nad/nac (not), byth (never), heb (without), neb (nobody).
    | {"dim", "ddim", "nid", "nad", "nac", "byth", "heb", "neb"}
)
# Words that state a lack or a failure: "unable to get through" is the negative side of a point as
# much as "could not get through", so labels and answers are compared with these counted as negation.
NEGATIVE_WORDS = frozenset(
    {"unable", "lack", "lacks", "lacking", "shortage", "shortages", "scarce", "hardly", "barely", "rarely"}
    | {"fail", "fails", "failed", "failing", "failure", "refuse", "refused", "refuses", "impossible", "missing"}
    | {"unclear", "unhelpful", "unreliable", "unavailable", "unanswered", "inaccurate", "inadequate"}
    | {"insufficient"}
)
# Words that say nothing about what a theme is about: grammar, fillers and hedges. Negators are
# deliberately absent.
STOP_WORDS = _word_set(
    """a about above after again against all also am an and any are as at be because been before being below
    between both but by can could did do does doing done down during each else etc even ever every few for from
    further get gets getting got had has have having he her here hers herself him himself his how however i i'd
    i'll i'm i've if in into is it it's its itself just let like lot lots make me more most much must my myself
    of off ok okay on once one only or other our ours ourselves out over own quite rather really same she
    should so some such than that that's the their theirs them themselves then there there's these they thing
    things think this those though through to too under until up upon us very via was way we we'd we'll we're
    we've well were what when where whether which while who whom whose why will with would yes yeah you your
    yours yourself yourselves feel felt believe guess suppose maybe perhaps probably people honestly
    personally basically obviously clearly frankly generally overall actually anyway
    """
)
# Words that say where someone stands on a proposal, not why: a sentence made of nothing else
# ("We do not support the proposal", "I agree with this") is a stance, not a point.
STANCE_WORDS = _word_set(
    """support supports supported supporting oppose opposes opposed opposing proposal proposals agree agrees
    disagree disagrees favour favor against idea ideas plan plans sensible good bad great terrible fine sure
    view views either balance mind reservation reservations serious doubt doubts concern concerns current form
    stand stands strongly completely totally entirely broadly mostly generally fully partly proceed ahead go
    goes convinced happy unhappy keen right wrong yes no department government"""
)
# Two-word negations: "not enough staff" and "too few appointments" say the same kind of thing.
_NEGATIVE_PAIRS = re.compile(r"\btoo (?:few|little)\b|\bno one\b|\bnot enough\b", re.IGNORECASE)

_WORD = re.compile(r"[A-Za-z0-9\u00C0-\u024F]+(?:['\u2019][A-Za-z]+)*")
_STEM_SUFFIXES = ("ing", "ed", "es", "s", "ly")


def words(text: str) -> list[str]:
    """The words of `text`, casefolded, with apostrophes straightened ("Don\u2019t" gives "don't")."""
    return [match.group().casefold().replace("\u2019", "'") for match in _WORD.finditer(text)]


def is_negation(word: str) -> bool:
    """Whether one casefolded word negates: a negator, a word of lack or failure, or any "n't" form."""
    return word in NEGATORS or word in NEGATIVE_WORDS or word.endswith("n't")


def has_negation(text: str) -> bool:
    """Whether `text` says no, not, never, nothing, without, "n't", "too few" or a lack of something."""
    return any(is_negation(word) for word in words(text)) or _NEGATIVE_PAIRS.search(text) is not None


def stem(word: str) -> str:
    """A crude, symmetric stem ("answers", "answered", "answering" all give "answer")."""
    word = word.removesuffix("'s")
    for suffix in _STEM_SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 3 and not word.endswith("ss"):
            return word[: -len(suffix)]
    return word


def content_stems(text: str) -> set[str]:
    """The stems of the words that say what `text` is about: no stop words, negators or numbers."""
    return {
        stem(word)
        for word in words(text)
        if word not in STOP_WORDS and not is_negation(word) and not word.isdigit() and len(word) > 1
    }


def is_stance(text: str) -> bool:
    """Whether `text` only says where its writer stands ("We cannot support the proposal as it
    stands", "I strongly agree"): every content word a stance word."""
    found = [word for word in words(text) if word not in STOP_WORDS and not is_negation(word) and len(word) > 1]
    return all(word in STANCE_WORDS for word in found)


# Sentences about the response or the respondent rather than the question: "We are a network of
# ...", "This response is based on our casework", "We asked our members for their views".
_ABOUT_THE_RESPONSE = re.compile(
    r"^(?:we|i)\s+(?:are|am)\s+(?:a|an|the)\s|^we\s+(?:support|represent|work with|help)\s+(?!the proposal|this|it\b)"
    r"|\b(?:this|our|my)\s+(?:response|submission)\b|\b(?:we|i)\s+(?:asked|surveyed|consulted)\s+(?:our|my)\b"
    r"|\b(?:we|i)\s+(?:discussed|held)\b|\b(?:am|are)\s+responding\b"
    r"|\b(?:set out|described|listed)\s+(?:below|above)\b",
    re.IGNORECASE,
)


def is_about_the_response(sentence: str) -> bool:
    """Whether `sentence` introduces the respondent or the response ("We are a network of ...",
    "This response is based on our casework") instead of making a point about the question."""
    return _ABOUT_THE_RESPONSE.search(sentence) is not None


def point_stems(text: str) -> set[str]:
    """Content stems plus the negation in `text` (as "not"): what two answers must share to agree."""
    stems = content_stems(text)
    if has_negation(text):
        stems.add("not")
    return stems


# Sentence ends, semicolons, colons, dashes between spaces, ellipses and line breaks.
# A full stop with no space after it ("recreation.More") still ends a sentence.
_SENTENCE_BREAK = re.compile(
    r"(?<=[.!?])\s+|(?<=[a-z]{2}[.!?])(?=[A-Z][a-z])|[;:]\s+|\s+[-\u2013\u2014]+\s+|\.\.\.+|\u2026|\n+|\s*[()]\s*"
)
_CLAUSE_BREAK = re.compile(
    r",\s*|\s+(?=(?:but|because|although|though|however|whereas|unless|otherwise|which|so that|as long as|"
    r"whilst|while|since|yet)\b)",
    re.IGNORECASE,
)
_CONDITION = re.compile(
    r"\b(?:unless|except|excepting|provided|providing|as long as|so long as|only if|only when|on condition)\b",
    re.IGNORECASE,
)
# Inner joints of a clause too long to be a label.
_INNER_BREAK = re.compile(r"\s+(?=(?:and|or|when|if|after|before|until|so|then|as)\b)", re.IGNORECASE)
_MODIFIER = re.compile(r"(?:when|if|after|before|until|as|then|so)\b", re.IGNORECASE)
# Cutting before "of" or "to" leaves a phrase that needs them ("in need [of]", "due [to]").
_PREPOSITION = re.compile(r"\s+(?=(?:about|for|with|in|on|at|from|by|over|during)\s)", re.IGNORECASE)
# A clause's opening cut before a preposition is a candidate only from this many words, and a
# piece between its inner joints from this many.
MIN_OPENING_WORDS = 5
MIN_INNER_WORDS = 3
# Words that link an answer's points and make none ("Having said that, ...", "To be fair, ...").
_CONNECTOR = re.compile(
    r"(?:having said (?:that|all that)|that said|to be fair|in fairness|on the other hand|then again|"
    r"my worry is this|mind you|even so|all the same|at the same time|(?:i\s+)?can see that|(?:i\s+)?accept that|"
    r"in any case|either way|as i said|like i said|look|listen|honestly|well|right|so)",
    re.IGNORECASE,
)
# A phrase opening with one of these hangs off something said before it.
_HANGING_START = _word_set("of in into on at by from due than when if after before until as so then while whilst")

_FILLERS = [
    re.compile(pattern, re.IGNORECASE)
    for pattern in [
        r"^(?:no|yes|nope|yeah|absolutely not)\s+(?:and|but|because)\b[\s,]*",
        r"^(?:and|but|or|so|because|also|then|plus|however|although|though|as|since|which|whereas|yet|still|"
        r"well|oh|yes|yeah|ok|okay|honestly|personally|basically|frankly|obviously|clearly|overall|generally|"
        r"really|just|that|whilst|while|unless|otherwise|firstly|secondly|finally|lastly|again|look|listen|right)\b"
        r"(?!['\u2019])[\s,]*",
        r"^(?:i|we)\s+(?:personally\s+|really\s+|do\s+|also\s+|still\s+)?(?:think|feel|felt|believe|guess|suppose|"
        r"reckon|thought|find|found|would say|would argue|'d say|\u2019d say)(?:\s+that)?\b[\s,]*",
        r"^(?:in\s+(?:my|our)\s+(?:opinion|view|experience)|to be honest|for me|if you ask me|"
        r"it seems(?: to me)?(?: that)?|the (?:main|only|biggest|real) (?:thing|issue|problem|concern|point) "
        r"(?:is|was)(?: that)?)\b[\s,]*",
        r"^(?:there\s+(?:is|are|was|were)|there['\u2019]s|it\s+(?:is|was)|it['\u2019]s|i\s+am|i\s+was|"
        r"i['\u2019]m|we\s+are|we\s+were|we['\u2019]re|i['\u2019]ve|we['\u2019]ve)\b\s*",
        r"^(?:i|we)\b(?!['\u2019])\s*",
        # The condition is the point: "I'd feel better if [advisers checked its answers]".
        r"^(?:(?:i|we)\s+)?(?:would|'d|\u2019d)\s+(?:feel|be)\s+(?:a lot\s+|much\s+)?"
        r"(?:better|happier|happy|more confident|reassured|more comfortable)\s+(?:if|when)\b[\s,]*",
        r"^only\s+(?:if|when)\b[\s,]*",
        r"^" + _CONNECTOR.pattern + r"\b[\s,:]*",
    ]
]
_CONTRACTED_WOULD = re.compile(r"^(?:i|we)['\u2019]d\b", re.IGNORECASE)
# A phrase ending on one of these is cut off in the middle.
_DANGLING = _word_set(
    """a an the to of and or but my our your their its for with in on at by from is are was were be been
    that this than as so very if when because which who whose whom into onto about than i we they not has have
    had do does did can could will would should must am being"""
)
_AUXILIARIES = _word_set("have has had is are was were will would can could should must do does did been")
# A whole sentence may end on a verb whose object it leaves understood ("Nothing would", "I would not").
_SENTENCE_MAY_END = _word_set("not has have had do does did can could will would should must am")
_EDGE_PUNCTUATION = (
    "\"'\u201c\u201d\u2018\u2019\u00ab\u00bb\u201e\u2039\u203a`*_#.,;:!?()[]{}<>/&+=-\u2013\u2014 \u2026"
)
_QUOTE_CHARACTERS = re.compile(
    r"[\"\u201c\u201d\u00ab\u00bb\u201e\u2039\u203a`]|(?<![A-Za-z])['\u2018\u2019]|['\u2018\u2019](?![A-Za-z])"
)


_QUOTED = re.compile(r"[\"\u201c\u201d\u00ab\u00bb\u201e]")


def sentences(text: str) -> list[str]:
    """The sentences of `text`, whitespace collapsed, in order; empty pieces are left out."""
    flat = text.replace("\r", "\n")
    return [" ".join(piece.split()) for piece in _SENTENCE_BREAK.split(flat) if piece and piece.strip()]


def clauses(text: str) -> list[str]:
    """The clauses of `text` as written: its sentences split at commas, "but", "because", ..."""
    return [clause for sentence in sentences(text) for clause in _CLAUSE_BREAK.split(sentence) if clause.strip()]


def clean_phrase(text: str) -> str:
    """`text` as a label: fillers and edge punctuation gone, no quote marks, first letter raised.

    Only the first letter is raised: str.capitalize() would lower "NHS" to "nhs".
    """
    phrase = " ".join(_QUOTE_CHARACTERS.sub("", text).split()).strip(_EDGE_PUNCTUATION)
    for _ in range(4):
        before = phrase
        phrase = _CONTRACTED_WOULD.sub("would", phrase)
        for filler in _FILLERS:
            trimmed = filler.sub("", phrase, count=1).strip(_EDGE_PUNCTUATION)
            if trimmed and content_stems(trimmed) | ({"not"} if has_negation(trimmed) else set()):
                phrase = trimmed
        if phrase == before:
            break
    return phrase[:1].upper() + phrase[1:]


def candidate_phrases(text: str, max_words: int) -> list[str]:
    """Clauses and short phrases of one answer that could name its point, each cleaned by `clean_phrase`.

    Sentences are split at clause boundaries (commas, "but", "because", ...); a clause longer than
    `max_words` is split again at "and", "or", "when", ... and has its trailing prepositional phrase
    tried off. Phrases that end mid-way ("... to the") or say nothing are left out. Negation stays.
    """
    found: list[str] = []
    for sentence in sentences(text):
        whole_sentence = normalise_label(sentence)
        condition = _CONDITION.search(sentence)
        # "No one meets the assistant [unless they choose to]": cut before its condition, a clause
        # can say the opposite of the sentence, so such a sentence is a candidate only whole.
        whole_only = condition is not None and condition.start() > 0
        for clause in [sentence] if whole_only else _CLAUSE_BREAK.split(sentence):
            if _CONNECTOR.fullmatch(clause.strip(_EDGE_PUNCTUATION)):
                continue
            whole = clean_phrase(clause)
            pieces = [whole]
            if len(whole.split()) > max_words and not whole_only:
                # A piece opening with "when", "if", "before", ... modifies a point rather than making one.
                # Pieces of one or two words ("Damp" of "Damp and mould get reported ...") name no point.
                pieces += [
                    clean_phrase(inner)
                    for inner in _INNER_BREAK.split(whole)
                    if not _MODIFIER.match(inner) and len(inner.split()) >= MIN_INNER_WORDS
                ]
                # The longest opening that ends before a preposition or an inner joint and fits: "The
                # chatbot did not understand my question [about housing benefit when I rang]", "Damp
                # and mould get reported as routine [and then left for months]". Short openings are
                # left out: cut that early, a verb loses what it needs ("Only if it handed [over
                # quickly]", "The staff I've dealt [with]").
                cuts = sorted({cut.start() for cut in (*_PREPOSITION.finditer(whole), *_INNER_BREAK.finditer(whole))})
                openings = [whole[:cut] for cut in cuts if _ends_whole(words(whole[:cut]), words(whole[cut:]))]
                pieces += [opening for opening in openings if MIN_OPENING_WORDS <= len(opening.split()) <= max_words][
                    -1:
                ]
            if _QUOTED.search(clause):
                # Words in quotation marks are someone else's, not the respondent's point.
                continue
            for phrase in pieces:
                tokens = words(phrase)
                if not tokens or len(phrase.split()) > max_words:
                    continue
                if tokens[-1] in _DANGLING and not (
                    tokens[-1] in _SENTENCE_MAY_END and whole_sentence.endswith(normalise_label(phrase))
                ):
                    continue
                if tokens[0] in _HANGING_START:
                    continue
                if not (content_stems(phrase) or has_negation(phrase)):
                    continue
                if _CONNECTOR.fullmatch(phrase.strip(_EDGE_PUNCTUATION)):
                    continue
                found.append(phrase)
    return list(dict.fromkeys(found))


def _ends_whole(said: list[str], rest: list[str]) -> bool:
    """Whether an opening cut after the words `said`, before the words `rest`, ends where its
    meaning does: not on a word that needs more ("to", "the"), on "-ing" ("a computer looking [at
    photos]"), or halfway through a comparison ("as good [as the English one]", "better [than]")."""
    if not said or said[-1] in _DANGLING or said[-1].endswith("ing"):
        return False
    # "The staff I've dealt [with have been kind]": the preposition ends a clause inside the cut one.
    if len(rest) >= 2 and rest[1] in _AUXILIARIES:
        return False
    return not (rest[:1] in (["as"], ["than"]) and any(word in {"as", "so", "more", "less"} for word in said[-3:]))


def normalise_label(label: str) -> str:
    """What two labels must share to count as the same: case, punctuation and spacing ignored."""
    return " ".join(words(label))
