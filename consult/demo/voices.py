"""Who the demo's respondents are: when they respond, their invented email addresses, and the
equality information some of them give."""

from __future__ import annotations

import random
import re

FIRST_NAMES = (
    "alex", "sam", "jo", "priya", "tom", "aisha", "gareth", "megan", "kwame", "lucy", "dan", "fatima",
    "rhys", "chloe", "mohammed", "sian", "liam", "grace", "tariq", "hannah", "owen", "zainab", "chris", "ellie",
)  # fmt: skip
SURNAMES = (
    "taylor", "patel", "jones", "okafor", "williams", "khan", "evans", "murphy", "brown", "ahmed", "hughes",
    "clarke", "nowak", "reid", "begum", "price", "walsh", "owusu", "bell", "morgan",
)  # fmt: skip

AGE_BANDS = {
    "under_18": 0.01, "18_24": 0.08, "25_34": 0.17, "35_44": 0.19, "45_54": 0.19,
    "55_64": 0.17, "65_74": 0.12, "75_over": 0.07,
}  # fmt: skip
REGIONS = {
    "north_east": 0.05, "north_west": 0.12, "yorkshire": 0.09, "east_midlands": 0.07, "west_midlands": 0.09,
    "east": 0.08, "london": 0.13, "south_east": 0.12, "south_west": 0.08, "wales": 0.07, "scotland": 0.07,
    "northern_ireland": 0.02, "outside_uk": 0.005,
}  # fmt: skip
DISABILITY = {"yes_a_lot": 0.18, "yes_a_little": 0.2, "no": 0.55, "prefer_not": 0.07}
ETHNICITY = {"asian": 0.09, "black": 0.05, "mixed": 0.03, "white": 0.78, "other": 0.02, "prefer_not": 0.03}


def moment_for(rng: random.Random, kind: str) -> float:
    """How far through the time it has been open (0 to 1) a response arrives.

    Many people respond in the first days, when the consultation is news; the campaign's
    supporters arrive together after it is launched; organisations take longer to write.
    """
    if kind == "campaign":
        return rng.uniform(0.55, 0.75) if rng.random() < 0.8 else rng.uniform(0.55, 0.99)
    if kind == "organisation":
        return rng.uniform(0.2, 0.99)
    return rng.uniform(0.0, 0.15) if rng.random() < 0.3 else rng.uniform(0.0, 0.99)


def person_email(rng: random.Random) -> str:
    """An invented address on the reserved example.com domain."""
    return f"{rng.choice(FIRST_NAMES)}.{rng.choice(SURNAMES)}{rng.randrange(1, 99)}@example.com"


def organisation_email(name: str) -> str:
    """An invented address for an organisation, on the reserved example.com domain."""
    return f"policy.{re.sub(r'[^a-z0-9]+', '-', name.lower()).strip('-')}@example.com"


def _pick(rng: random.Random, weights: dict[str, float]) -> str:
    value = rng.choices(list(weights), list(weights.values()))[0]
    # Some people skip a question and some prefer not to say.
    roll = rng.random()
    return "" if roll < 0.08 else "prefer_not" if roll < 0.14 else value


def equality_for(rng: random.Random, tags: set[str]) -> dict[str, str]:
    """Equality information that agrees with what the person wrote about themselves."""
    if rng.random() < 0.12:
        return {"age_band": "prefer_not", "region": "prefer_not", "disability": "prefer_not", "ethnicity": "prefer_not"}
    answers = {
        "age_band": _pick(rng, AGE_BANDS),
        "region": _pick(rng, REGIONS),
        "disability": _pick(rng, DISABILITY),
        "ethnicity": _pick(rng, ETHNICITY),
    }
    if "disability" in tags:
        answers["disability"] = rng.choice(("yes_a_lot", "yes_a_little"))
    if "older" in tags:
        answers["age_band"] = rng.choice(("65_74", "75_over"))
    if "welsh" in tags and rng.random() < 0.7:
        answers["region"] = "wales"
    return answers
