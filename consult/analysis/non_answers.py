"""Non-answers: answers with nothing substantive to say, in English and Welsh.

"N/A", "Nothing to add, thanks", "See above", "I'd rather not say", "Diolch", a bare "No" to an
open question, "..." : such answers are counted apart from the themes, never clustered, quoted or
taken for a campaign. The rule is a small set of tables that a person can read and argue with, not
a learned model:

1. The answer is normalised: case folded, accents dropped (so "siŵr" is "siwr"), apostrophes
   removed ("don't" is "dont", "i'w" is "iw"), every other non-letter a space, numbers read as "#"
   ("Q3" is "q #"), and runs of one letter squeezed to one ("nooo" is "no"; the tables are
   squeezed the same way, which also folds Welsh "ddim" onto "dim").
2. An empty answer is "empty"; one with no letter or digit left is "punctuation" (or
   "placeholder" when it is only dashes, dots or slashes, such as "-" or "...").
3. Otherwise it is a non-answer only when its words, all of them, can be read as a sequence of
   phrases from the tables below: non-answer phrases of each kind, courtesy ("thanks", "diolch yn
   fawr"), interjections ("um", "ok") and padding ("really", "at this time", "o gwbl"; padding
   alone is not a non-answer: "Right now" may answer "When?"). "No, not really. Thanks!" is three
   phrases; "No parking", "Nothing works", "None of it is safe" and "Dim digon o staff" are not,
   because "parking", "works", "of it is safe" and "digon o staff" are in no table. A table word
   of five letters or more may carry one typo (a letter missing or added, two swapped, or one
   changed for its neighbour on the keyboard: "nothign", "thnaks", "nithing"), forgiven only when
   it points to one table word.
4. The kind is that of the first phrase that is not courtesy, interjection or padding: "Nothing,
   thanks" is "nothing to add", "Thank you" alone is "thanks".

Statements about the response itself ("We are content for this response to be published in
full.", "Please keep my response confidential") are "procedural": they matter to the department
but say nothing on the question. A bare yes/no (or maybe, don't know, agree) counts as a
non-answer because the free-text questions here are open: a bare "Yes" says nothing a theme could
hold. What the rule cannot do: it reads English and Welsh only; an answer longer than `MAX_WORDS`
words is never a non-answer; a non-answer phrase the tables lack ("Nah mate") reads as
substantive; and a one-word answer that is also a table phrase is read as a non-answer whatever
was asked ("Never", "Both"). Officials can override the verdict either way; bump
`NON_ANSWERS_VERSION` whenever a change here can change one.
"""

from __future__ import annotations

import itertools
import re
import unicodedata
from functools import cache

NON_ANSWERS_VERSION = "1"

EMPTY = "empty"
PUNCTUATION = "punctuation"
PLACEHOLDER = "placeholder"
NOTHING_TO_ADD = "nothing to add"
REFUSAL = "refusal"
REFERENCE = "reference"
PROCEDURAL = "procedural"
THANKS = "thanks"
BARE_YES_NO = "bare yes/no"
# Not kinds of their own: words that may pad any non-answer ("really", "at this time") but that
# alone say something ("Right now", "So-so"), and sounds that alone say nothing ("Um", "Ok").
_PADDING = "padding"
_INTERJECTION = "interjection"

# A non-answer is short; longer answers are not read at all, which also bounds the work per answer.
MAX_WORDS = 24
# Typos are forgiven only in table words at least this long: in shorter ones a changed letter
# makes another word too often ("not"/"nut", "see"/"sea").
TYPO_MIN_LENGTH = 5

# Answers' numbers are read as "#", and so is the "1" here: it stands for any number.
_QUESTION_NUMBER = "(question|q|cwestiwn|gwestiwn|c) (1|one|two|three|four|five|six|seven|eight|nine|ten)"

# Each table maps a kind to its phrases. "(a|b|)" is a choice between "a", "b" and nothing; the
# phrases are normalised as the answers are, so they are written as people write them.
_TABLES: dict[str, tuple[str, ...]] = {
    PLACEHOLDER: (
        "n a",
        "n a n a",
        "(not applicable|non applicable|not relevant|irrelevant|does not apply|doesnt apply|n a)"
        "( to| for| in|) (me|us|my case|our case|my situation|our situation|my organisation|our organisation|"
        "my organization|our organization|our business|our sector|our members|here|)",
        "nil",
        "null",
        "none",
        "nan",
        "tbc",
        "tbd",
        "tba",
        "to be confirmed",
        "x",
        "test",
        "testing",
        "test answer",
        "asdf",
        "qwerty",
        "blah",
        "abc",
        "blank",
        "(left|intentionally left) blank",
        "(no|without) (answer|response|reply)( given|)",
        "(did not|didnt|chose not to) (answer|respond|reply)",
        "(question |)(not answered|unanswered|skipped)",
        # Welsh: d/b is "dim yn berthnasol", not applicable.
        "d b",
        "amherthnasol",
        "(dim|ddim) yn berthnasol( i mi| i ni| yma|)",
        "(heb ateb|heb ei ateb|dim ateb|dim ymateb|gwag|prawf)",
    ),
    REFUSAL: (
        "(i would |id |i |we would |wed |we |)(rather|prefer|would rather|would prefer) not"
        " (to |)(say|answer|comment|respond|reply|disclose|share|go into it)",
        "(i |we |)(do not|dont|would not|wouldnt|have no) (wish|want|care|like) to (answer|comment|say|respond|reply|"
        "disclose|share)",
        "no wish to (answer|comment|say)",
        "(i |we |)(decline|refuse) to (answer|comment|say|respond)",
        "declined",
        "(not|wont|will not) (saying|telling|say|tell|answering|commenting)",
        # Not "private" or "confidential" alone: "Who should run it?" "Private."
        "pass",
        "skip",
        "none of your business",
        "mind your own( business|)",
        # Welsh: "Mae'n well gen i beidio â dweud", "Dewis peidio ag ateb", "Dim eisiau ateb".
        "(man |maen |mae n |byddain |byddai n |)(well|gwell) (gen i|gennyf|gennyf i|gennym|gennym ni|gen i i)"
        " (beidio|peidio) (a |ag |)(dweud|ateb|ymateb|rhoi sylw)",
        "(dewis |)peidio (a |ag |)(dweud|ateb|ymateb)",
        "(dwi |dw i |rwyn |rydw in |)(dim|ddim) (eisiau|isio|moyn|am) (ateb|dweud|ymateb)",
        "gwrthod ateb",
    ),
    REFERENCE: (
        "(see|refer to|read|look at|as|same as|as per|as in|as with|the same as|similar to)"
        " (above|below|before|previous|previously|earlier|attached|the above|the attached|attachment|"
        "the attachment|attached document|attached letter|attached file|last)",
        "(see|refer to|read|as|same as|as per|as in|as with|the same as)"
        " (my |our |the |)(previous |earlier |last |above |other |first |)"
        "(answer|answers|response|responses|comment|comments|reply|submission|point|points)"
        "( above| before| earlier| previously|)",
        "(to|for|in|under|at|on) " + _QUESTION_NUMBER + "( above| below| earlier| before|)",
        "(see|as|same as|as per|as in|refer to|as with|the same as) " + _QUESTION_NUMBER,
        "(as |already |)(stated|said|mentioned|noted|answered|covered|explained|detailed|outlined|addressed)"
        " (above|below|previously|before|earlier|elsewhere)",
        "(as |)(previously|already|earlier) (stated|said|mentioned|noted|answered|covered|explained|addressed)",
        "(i have |ive |we have |weve |)(already |previously |)(answered|covered|addressed|explained)"
        " (this |that |it |)(above|below|before|earlier|previously|elsewhere|)",
        "(in|see|as in|as per) (the |my |our |)(previous|earlier|last|above|other|first) (section|answer|question|"
        "response|part)",
        "(see|refer to|read|as per|as in) (our |my |the |)(covering|cover|attached|accompanying|separate|full|"
        "written) (letter|document|email|note|submission|response|report|paper)",
        "as i (said|stated|mentioned|have said|have stated|have already said)( above| before| earlier| previously|)",
        "(ditto|same|same again|same here|same answer|likewise|repeat|as is)",
        # Welsh: "Gweler uchod", "Fel uchod", "Fel o'r blaen", "Yr un fath", "Gweler fy ateb i gwestiwn 3".
        "(gweler|gwelwch|cyfeiriwch at) (yr |)(uchod|isod|atodiad|ddogfen atodedig|y ddogfen atodedig)",
        "(gweler|gwelwch|fel|fel yn|cyfeiriwch at) (fy |ein |yr |)(ateb|atebion|ymateb|sylwadau|sylw)"
        "( blaenorol| uchod| cynt|)",
        "(i |ar |yn |)" + _QUESTION_NUMBER,
        "(gweler|gwelwch|fel|fel yn) " + _QUESTION_NUMBER,
        "fel (uchod|isod|or blaen|cynt|o r blaen)",
        "fel (y |yr |)(nodwyd|nodais|dywedwyd|dywedais|soniwyd|soniais|atebwyd|atebais|eglurwyd|esboniais)"
        " (uchod|isod|eisoes|or blaen|yn barod|yn gynharach)",
        "yr un (fath|peth)( ag uchod| a uchod| ag or blaen| a cynt|)",
    ),
    PROCEDURAL: (
        # Consent to publication, or its refusal, says nothing about the question itself.
        "(i am|im|we are|were|i|we) (content|happy|willing) for (this|my|our|the) (response|submission|reply|answer)"
        " to be published( in full| anonymously| with my name| with our name|)",
        "(this|my|our) (response|submission|reply) (can|may) be published( in full| anonymously|)",
        "(please |)(do not|dont) publish (this|my|our) (response|submission|name|details)",
        "(please |)(keep|treat) (this|my|our) (response|submission|reply) (confidential|as confidential|anonymous)",
        "(rydym yn|rwyf yn|rwyn|rydw in|dwin|rydyn nin|) (fodlon|hapus) ir (ymateb|sylwadau) (hwn |hyn |)"
        "(gael ei gyhoeddi|gael eu cyhoeddi)( yn llawn| yn ddienw|)",
        "(cadwch|cadwch fy) (ymateb|fy ymateb) yn gyfrinachol",
    ),
    BARE_YES_NO: (
        "(yes|yeah|yea|yep|yup|ya|yah|aye|y|yes please|no|nope|nah|nay|n|na|never|no way)",
        "not (at this time|at this stage|at the moment|at present|for now|right now|currently|yet)",
        "(not really|not at all|definitely|definitely not|absolutely|absolutely not|certainly|certainly not|"
        "of course|of course not|sure|indeed|correct|agreed)",
        "(i |we |)(strongly |totally |completely |fully |somewhat |partly |partially |tend to |)(agree|disagree)",
        "neither agree nor disagree",
        "(maybe|perhaps|possibly|probably|probably not|possibly not|maybe not|maybe yes|maybe no)",
        "(i am |im |i |we are |were |)(not sure|unsure|not certain|uncertain|undecided|neutral|not bothered)",
        "(i |we |)(really |honestly |genuinely |just |)(dont|do not) know",
        "(dunno|idk|dk|no idea|no clue|not a clue)",
        "(i |we |)(cant|cannot|can not) (say|tell)",
        "(hard|difficult) to say",
        "(no|no strong|no particular) (opinion|opinions|view|views|preference|feelings)",
        "(yes and no|either|either way|neither|both|it depends|depends)",
        "i (think|suppose|guess|hope) (so|not)",
        "i (dont|do not) think so",
        "i (suppose|guess)",
        # Welsh: the yes and no of each verb ("Ydw", "Nac ydw"), maybe, not sure, don't know, agree.
        "(ie|ia|do|naddo|nage|oes|nac oes|nag oes|ydw|nac ydw|nag ydw|ydy|ydi|nac ydy|nag ydy|ydyn|nac ydyn|ydan|"
        "yndw|bydd|na fydd|byddai|na fyddai|dylai|na ddylai|dylen|na ddylen|gallai|na allai)",
        "(efallai|falle|hwyrach|o bosib|o bosibl|yn bendant|yn bendant ddim|yn sicr|yn sicr ddim|wrth gwrs|"
        "wrth gwrs ddim|iawn|niwtral)",
        "(dwi |dw i |rwyn |rydw in |nid wyf |nid ydw in |)(dim yn|ddim yn|yn|dim|ddim) (siwr|sicr)",
        "(wn i ddim|dwn i ddim|dwn im|wn im|sain gwybod|sain gwbod|dim yn gwybod|ddim yn gwybod|dwi ddim yn gwybod)",
        "(dim syniad|dim clem|dim barn)",
        "(rwyn |dwin |rydw in |rydym yn |)(cytuno|anghytuno)( yn gryf|n gryf|)",
        "(cytunon gryf|anghytunon gryf)",
    ),
    NOTHING_TO_ADD: (
        "(i have |ive |ive got |i have got |we have |weve |weve got |we have got |)(nothing|no|none|not anything|"
        "nothing much) (more |further |else |other |additional |extra |)(comment|comments|thoughts|views|remarks|"
        "points|observations|feedback|input|suggestions|questions|concerns|issues|worries|problems|)",
        # What was not said, in any of the phrases above: "Nothing further" and then "to add".
        "(to add|to say|to report|to declare|to share|to mention|to comment on|to raise|to contribute|to give|"
        "to make|to offer|to put forward)",
        "(i |we |)(do not|dont) have (anything|any) (more |further |else |other |additional |)(comments |"
        "thoughts |views |points |feedback |suggestions |)(to add|to say|to report|to share|)",
        "(i |we |)(cannot|cant|can not|could not|couldnt) think of anything( else| more| further|)( to add| to say|)",
        "(nothing|none|no) (that |)i can think of",
        "not that i can think of",
        "(none|nothing) that i know of",
        "nothing (comes|springs) to mind",
        "(nothing|none|no|nope|nah|no no) (thanks|thank you|thankyou|ta|cheers)",
        "(that is|thats) (all|it)",
        "(all|everything) (is |)(good|fine|ok|okay|well)",
        "(im|i am|we are|were) (good|fine|ok|okay)",
        "(fine|nowt|nada|zilch|nothing at all)",
        # Welsh: "Dim", "Dim byd i'w ychwanegu", "Does gen i ddim byd arall i'w ddweud", "Dim sylwadau pellach".
        "(does |nid oes |)(gen i |gennyf |gennyf i |gennym |gennym ni |)(dim|ddim)( byd| un|)( arall| pellach| mwy|)"
        "( iw ychwanegu| iw ddweud| iw nodi| iw gynnig| i ychwanegu| i ddweud|)",
        "(does |nid oes |)(gen i |gennyf |gennym |)(dim |ddim |unrhyw |)(sylw|sylwadau|pryderon|cwestiynau|problemau)"
        "( pellach| arall| eraill|)( iw ychwanegu| iw gwneud|)",
        "(dim|ddim) diolch",
        "popeth yn (iawn|dda|gret|ok)",
    ),
    THANKS: (
        "(thanks|thank you|thankyou|thanx|thx|ty|ta|cheers|many thanks|much appreciated|appreciated)",
        "(thanks|thank you|thankyou|many thanks)( very much| so much| a lot| again| anyway| all the same|)"
        "( for asking| for the opportunity| for the opportunity to comment| for the opportunity to respond|"
        " for consulting us| for consulting me| for listening| for your time| for reading| for this consultation|"
        " for the consultation| for the chance to comment|)",
        "(kind regards|regards|best regards|best wishes|all the best|yours sincerely|yours faithfully|good luck)",
        "(please|pls|sorry|hello|hi|bye)",
        # Welsh.
        "diolch( yn fawr| yn fawr iawn| o galon| i chi|)( am ofyn| am y cyfle| am y cyfle i ymateb| am wrando|"
        " am eich amser|)",
        "(cofion|cofion gorau|cofion cynnes|yn gywir|yn ddiffuant|plis|os gwelwch yn dda|sori|helo|shwmae|"
        "pob lwc|hwyl)",
    ),
    _PADDING: (
        "(at this time|at this stage|at the moment|at present|for now|currently|right now|so far|here|really|"
        "at all|whatsoever|as such|in particular|specifically|otherwise|apart from that|personally|i think|"
        "honestly|to be honest|tbh|just|so|again|im afraid|i am afraid)",
        # What a non-answer is about: "Nothing to add to this", "I'd rather not answer this question".
        "(to|on|about|for) (this|that|it|the above|this question|the question|my response|my answer|"
        "my previous answer|what i have said)",
        "(this|that|the) question",
        # Who has nothing to say: "No further comments from me", "Dim sylw pellach gennyf".
        "(from|for) (me|us|my side|our side)",
        "(gennyf|gennyf i|gen i|gennym|gennym ni)",
        "(wir|a dweud y gwir|ar hyn o bryd|o gwbl|yma|mewn gwirionedd|jyst|felly|chwaith)",
    ),
    _INTERJECTION: ("(um|erm|er|hmm|well|ok|okay|oh|ah|ym|wel)",),
}

_APOSTROPHES = re.compile(r"['\u2019\u2018`]")
_LETTER_BESIDE_DIGIT = re.compile(r"(?<=[^\W\d_])(?=\d)|(?<=\d)(?=[^\W\d_])")
_NOT_WORD = re.compile(r"[\W_]+")
_TOKEN_WITH_WORD = re.compile(r"\S*[^\W_]\S*")
_REPEATED_LETTER = re.compile(r"(\w)\1+")
_CHOICE = re.compile(r"\(([^()]*)\)")
_DASHES_AND_DOTS = re.compile(r"[\s\-\u2010-\u2015_./\\\u2026]+")
_ALPHABET = "abcdefghijklmnopqrstuvwxyz"
_KEYBOARD_ROWS = ("qwertyuiop", "asdfghjkl", "zxcvbnm")


def _keyboard_neighbours() -> dict[str, str]:
    """Each letter's neighbours on a QWERTY keyboard: the letters a slip of the finger types instead."""
    place = {letter: (row, column) for row, keys in enumerate(_KEYBOARD_ROWS) for column, letter in enumerate(keys)}
    neighbours: dict[str, str] = {}
    for letter, (row, column) in place.items():
        # Rows are staggered: a key touches two keys of the row above (same and next column)
        # and two of the row below (previous and same column).
        near = [(row, column - 1), (row, column + 1), (row - 1, column), (row - 1, column + 1)]
        near += [(row + 1, column - 1), (row + 1, column)]
        neighbours[letter] = "".join(
            _KEYBOARD_ROWS[r][c] for r, c in near if 0 <= r < len(_KEYBOARD_ROWS) and 0 <= c < len(_KEYBOARD_ROWS[r])
        )
    return neighbours


_NEIGHBOURS = _keyboard_neighbours()


def _words(text: str) -> list[str]:
    """The answer's words as the tables read them (see the module's docstring, step 1)."""
    text = text.casefold()
    if not text.isascii():
        text = unicodedata.normalize("NFKD", text)
        text = "".join(character for character in text if not unicodedata.combining(character))
    text = _LETTER_BESIDE_DIGIT.sub(" ", _APOSTROPHES.sub("", text))
    text = _REPEATED_LETTER.sub(r"\1", _NOT_WORD.sub(" ", text))
    return ["#" if word.isdigit() else word for word in text.split()]


def _expand(phrase: str) -> list[str]:
    """Every phrase the choices in `phrase` spell: "(a|b|)c" is "ac", "bc" and "c"."""
    parts = _CHOICE.split(phrase)
    # re.split puts the literal text at even positions and each choice's inside at odd ones.
    options = [[part] if position % 2 == 0 else part.split("|") for position, part in enumerate(parts)]
    return ["".join(choice) for choice in itertools.product(*options)]


@cache
def _phrases() -> tuple[dict[str, str], int]:
    """Each normalised phrase's kind (the first table that holds it wins), and the longest phrase's words."""
    kinds: dict[str, str] = {}
    longest = 0
    for kind, phrases in _TABLES.items():
        for phrase in phrases:
            for spelled in _expand(phrase):
                words = _words(spelled)
                if words:
                    kinds.setdefault(" ".join(words), kind)
                    longest = max(longest, len(words))
    return kinds, longest


@cache
def _vocabulary() -> frozenset[str]:
    """Every word of every table phrase."""
    kinds, _ = _phrases()
    return frozenset(word for phrase in kinds for word in phrase.split())


@cache
def _typo_corrections() -> dict[str, str]:
    """Each misspelling one edit away from exactly one table word of `TYPO_MIN_LENGTH` letters or more."""
    vocabulary = _vocabulary()
    found: dict[str, str | None] = {}
    for word in vocabulary:
        if len(word) < TYPO_MIN_LENGTH or not word.isascii():
            continue
        splits = [(word[:i], word[i:]) for i in range(len(word) + 1)]
        variants = {left + right[1:] for left, right in splits if right}
        variants |= {left + right[1] + right[0] + right[2:] for left, right in splits if len(right) > 1}
        # A changed letter is forgiven only when its key touches the right one: "nithing" is a slip,
        # "fever" and "black" are words, not "never" and "blank" mistyped.
        variants |= {left + letter + right[1:] for left, right in splits if right for letter in _NEIGHBOURS[right[0]]}
        variants |= {left + letter + right for left, right in splits for letter in _ALPHABET}
        for variant in variants - vocabulary:
            # A misspelling two table words are one edit from is left alone: which was meant is a guess.
            found[variant] = word if found.get(variant, word) == word else None
    return {variant: word for variant, word in found.items() if word is not None}


def _phrase_kinds(words: list[str]) -> list[str] | None:
    """The kinds of the fewest table phrases that spell `words` exactly, or None when none do."""
    kinds, longest = _phrases()
    # fewest[i]: the kinds of the shortest reading of words[:i], when there is one.
    fewest: list[list[str] | None] = [[]] + [None] * len(words)
    for end in range(1, len(words) + 1):
        for start in range(max(0, end - longest), end):
            before = fewest[start]
            if before is None:
                continue
            kind = kinds.get(" ".join(words[start:end]))
            if kind is not None and (fewest[end] is None or len(before) + 1 < len(fewest[end])):
                fewest[end] = [*before, kind]
    return fewest[len(words)]


def non_answer_kind(text: str) -> str | None:
    """Why `text` is a non-answer ("empty", "punctuation", "placeholder", "nothing to add",
    "refusal", "reference", "procedural", "thanks", "bare yes/no"), or None when it is substantive.

    See the module's docstring for the rule.
    """
    if not text.strip():
        return EMPTY
    # Normalising never joins two of these tokens into one word, so this bounds the word count
    # cheaply: most answers are long and are let go before the slower normalisation.
    if len(_TOKEN_WITH_WORD.findall(text)) > MAX_WORDS:
        return None
    words = _words(text)
    if not words:
        return PLACEHOLDER if _DASHES_AND_DOTS.fullmatch(text.strip()) else PUNCTUATION
    if len(words) > MAX_WORDS:
        return None
    corrections = _typo_corrections()
    words = [corrections.get(word, word) for word in words]
    # A word in no table phrase settles it, and most substantive answers have one.
    if not _vocabulary().issuperset(words):
        return None
    phrase_kinds = _phrase_kinds(words)
    if phrase_kinds is None:
        return None
    telling = [kind for kind in phrase_kinds if kind not in (THANKS, _PADDING, _INTERJECTION)]
    if telling:
        return telling[0]
    if THANKS in phrase_kinds:
        return THANKS
    return PLACEHOLDER if _INTERJECTION in phrase_kinds else None


def is_non_answer(text: str) -> bool:
    """Whether `text` has nothing substantive to say (see `non_answer_kind` for why)."""
    return non_answer_kind(text) is not None
