"""A small corpus of answers on clearly different subjects, for tests of the whole analysis."""

import itertools

SUBJECTS = {
    "phone": [
        "I want to speak to a real person on the phone",
        "the phone queue is far too long and nobody answers",
        "please keep a human adviser on the phone line",
        "I waited an hour on the phone before giving up",
        "a person on the phone understands my situation better",
    ],
    "privacy": [
        "I worry about what happens to my personal data",
        "who will see the records of my conversations",
        "my private information must not be shared with companies",
        "data protection matters and the data should be deleted",
        "I do not trust how my details will be stored",
    ],
    "welsh": [
        "the assistant must work properly in Welsh",
        "Welsh speakers deserve answers in Welsh too",
        "I speak Welsh at home and want the service in Welsh",
        "please make sure the Welsh language version is as good",
        "answers in Welsh should not be worse than in English",
    ],
    "speed": [
        "it would be quicker to get simple answers at night",
        "I like getting an answer straight away at any time",
        "fast answers for simple questions would save time",
        "being able to ask at midnight without waiting is great",
        "quick replies for easy questions would help a lot",
    ],
}
ENDINGS = ["", " Thank you.", " That is my view.", " Please listen.", " This matters to me.", " I hope you agree."]


def answers(per_subject: int = 30) -> list[tuple[str, str]]:
    """(subject, text) pairs: each answer joins two or three different sentences of one subject,
    so that answers on a subject share words without being near-copies of each other."""
    out = []
    for subject, sentences in SUBJECTS.items():
        pairs = list(itertools.permutations(sentences, 2))
        triples = list(itertools.permutations(sentences, 3))[::6]
        for number, chosen in enumerate((pairs + triples)[:per_subject]):
            ending = ENDINGS[number % len(ENDINGS)]
            text = ". ".join(sentence[0].upper() + sentence[1:] for sentence in chosen)
            out.append((subject, f"{text}.{ending}"))
    return out
