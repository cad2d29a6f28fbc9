"""What `make bench-web`'s data holds: its sizes, names, the pools the load test draws from, and
the seeded text of its answers (the demo's sentences, recombined)."""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import dataclass, field

from consult.demo.benefit_topics import TOPICS

# Bump when the shape of the data changes: a data set with another version is rebuilt.
DATA_VERSION = 1
RESPONSES = 100_000
WITHDRAWN = 600
DRAFTS = 1_500
THEMES_PER_QUESTION = 20
CAMPAIGN_COPIES = 3_000
OPEN_FLAGS = 150
DECIDED_FLAGS = 150
# Drafts on the open consultation: one per simulated respondent saving answers, and complete
# ones that "Accept and send" submits (each run puts them back to draft first).
ANSWER_DRAFTS = 64
SUBMIT_DRAFTS = 20_000

BIG_SLUG = "bench-web-100k"
OPEN_SLUG = "bench-web-open"
OFFICIAL_EMAIL = "bench-lead@example.gov.uk"
# The tests' shared TOTP secret: the benchmark never signs in through it, but the workspace asks
# that the official has an authenticator app.
TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"  # noqa: S105
SEED = 20261127

TOPIC_TITLES = {
    "accuracy": "wrong or misleading answers",
    "person": "reaching a person",
    "waiting": "waiting times",
    "privacy": "what happens to what people type",
    "data_sharing": "sharing data between services",
    "disability": "disabled people",
    "older": "older people",
    "digital": "people who are not online",
    "language": "Welsh and other languages",
    "jobs": "advisers' jobs",
    "appeals": "challenging decisions",
    "bias": "unfair treatment",
    "cost": "what it will cost",
}
CAMPAIGN_TEXT = (
    "I am writing as a supporter of Keep Benefits Human. Benefit enquiries must always be answered by a "
    "trained person, and no one should have to talk to a computer to get the money they are entitled to."
)
FIRST_WORDS = ["North", "South", "East", "West", "Central", "Greater", "Coastal", "Rural", "City", "County"]
MIDDLE_WORDS = ["Advice", "Carers", "Disability", "Tenants", "Pensioners", "Welfare", "Families", "Community"]
LAST_WORDS = ["Network", "Forum", "Trust", "Alliance", "Centre", "Association", "Project"]


@dataclass(frozen=True)
class Pools:
    """What the load test needs from the data: ids, never tokens (the runner signs those)."""

    official_id: int
    big_slug: str
    open_slug: str
    question_ids: list[int]
    free_text_ids: list[int]
    option_ids: dict[int, list[int]]
    answer_draft_ids: list[int]
    submit_draft_ids: list[int]
    theme_ids: dict[int, list[int]]
    sample_references: list[str]


@dataclass
class ThemePlan:
    """A theme to be written and what its answers say."""

    label: str
    description: str
    keywords: list[str]
    sentences: list[str]
    weight: float
    against: bool
    answer_ids: list[int] = field(default_factory=list)
    agreement: Counter = field(default_factory=Counter)


def theme_plans() -> list[ThemePlan]:
    """Twenty themes: every topic's worries, then the supportive side of the largest topics."""
    plans = []
    for topic in TOPICS:
        title = TOPIC_TITLES.get(topic.key, topic.key.replace("_", " "))
        plans.append(
            ThemePlan(
                label=f"Worried about {title}"[:200],
                description=f"Answers worried about {title}.",
                keywords=[word for word in title.split() if len(word) > 3][:3],
                sentences=[*topic.against, *topic.lived_against],
                weight=getattr(topic, "weight", 1.0),
                against=True,
            )
        )
    for topic in TOPICS:
        if len(plans) == THEMES_PER_QUESTION:
            break
        if not topic.for_:
            continue
        title = TOPIC_TITLES.get(topic.key, topic.key.replace("_", " "))
        plans.append(
            ThemePlan(
                label=f"Reassured about {title}"[:200],
                description=f"Answers that think the assistant would help with {title}.",
                keywords=[word for word in title.split() if len(word) > 3][:3],
                sentences=[*topic.for_, *topic.lived_for],
                weight=0.6 * getattr(topic, "weight", 1.0),
                against=False,
            )
        )
    return plans


def agreement_for(rng: random.Random, against: bool) -> int:
    if against:
        return rng.choices([1, 2, 3, 4, 5], weights=[45, 30, 12, 8, 5])[0]
    return rng.choices([1, 2, 3, 4, 5], weights=[4, 6, 12, 38, 40])[0]


def answer_text(rng: random.Random, plan: ThemePlan, second: ThemePlan | None) -> str:
    sentences = rng.sample(plan.sentences, k=min(len(plan.sentences), rng.choice([1, 1, 2, 2, 3])))
    if second is not None:
        sentences.append(rng.choice(second.sentences))
    return " ".join(sentences)


def unique_reference(rng: random.Random, used: set[str]) -> str:
    alphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
    while True:
        chars = "".join(rng.choice(alphabet) for _ in range(12))
        reference = f"R-{chars[0:4]}-{chars[4:8]}-{chars[8:12]}"
        if reference not in used:
            used.add(reference)
            return reference
