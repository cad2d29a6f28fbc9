"""Writes the demo's responses from a phrasebook: who responds, what they choose and what they say.

Everything is drawn from one seeded `random.Random`, so the same seed always writes the same
responses. Nothing here touches the database; `consult.demo.build` turns the voices into rows.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from consult.demo import campaign
from consult.demo.registers import choose_register, restyle
from consult.demo.specs import ConsultationSpec, Organisation, Phrasebook, Topic
from consult.demo.voices import equality_for, moment_for, organisation_email, person_email
from consult.models import Response

# How people answer the agreement question, from strongly agree (5) to strongly disagree (1).
AGREEMENT_WEIGHTS = {5: 0.13, 4: 0.22, 3: 0.18, 2: 0.24, 1: 0.23}
PROPER_WORDS = {"Welsh", "English", "Polish", "Glaswegian", "Millbridge", "Eastmere", "Damp"}
CONCESSIONS = ("I can see that ", "To be fair, ", "I accept that ")
CAVEATS = ("But ", "That said, ", "My worry is this: ", "On the other hand, ", "Then again, ", "Having said that, ")


@dataclass
class Voice:
    """One response as the writer imagines it, before it becomes rows."""

    number: int
    agreement: int
    why: str
    status: str = Response.Status.SUBMITTED
    respondent_type: str = Response.RespondentType.INDIVIDUAL
    organisation_name: str = ""
    email: str = ""
    channel: str = ""
    worries: tuple[str, ...] = ()
    trust: str = ""
    extra: str = ""
    equality: dict[str, str] | None = None
    moment: float = 0.0
    is_campaign: bool = False


def stance_of(agreement: int) -> str:
    """'for', 'mixed' or 'against', the way a reader would sum up an agreement answer."""
    return "for" if agreement >= 4 else "mixed" if agreement == 3 else "against"


def write_voices(
    spec: ConsultationSpec,
    book: Phrasebook,
    *,
    submitted: int,
    seed: int,
    campaign_size: int = 0,
    drafts: int = 0,
    withdrawn: int = 0,
) -> list[Voice]:
    """`submitted` submitted responses (campaign and every organisation included), then drafts and
    withdrawn ones, written for the questions the consultation asks."""
    rng = random.Random(seed)
    roles = {question.role for question in spec.questions}
    limits = {question.role: question.max_length for question in spec.questions if question.kind == "free_text"}
    writer = _Writer(rng, book, roles, limits)
    individuals = submitted - len(book.organisations) - campaign_size
    kinds = ["organisation"] * len(book.organisations) + ["campaign"] * campaign_size + ["person"] * individuals
    rng.shuffle(kinds)
    organisations = iter(rng.sample(book.organisations, len(book.organisations)))
    voices = []
    for number, kind in enumerate(kinds + ["person"] * (drafts + withdrawn), start=1):
        if kind == "organisation":
            voice = writer.organisation(number, next(organisations))
        elif kind == "campaign":
            voice = writer.campaigner(number)
        else:
            voice = writer.person(number)
        voices.append(voice)
    for voice in voices[submitted : submitted + drafts]:
        voice.status = "draft"
    for voice in voices[submitted + drafts :]:
        voice.status = "withdrawn"
    writer.leave_personal_data(voices[:submitted])
    return voices


class _Writer:
    def __init__(self, rng: random.Random, book: Phrasebook, roles: set[str], limits: dict[str, int]) -> None:
        self.rng = rng
        self.book = book
        self.roles = roles
        self.limits = limits
        self.topics = {topic.key: topic for topic in book.topics}
        self.seen: set[str] = set()

    # --- individuals ---------------------------------------------------------------------------

    def person(self, number: int) -> Voice:
        rng = self.rng
        agreement = rng.choices(list(AGREEMENT_WEIGHTS), list(AGREEMENT_WEIGHTS.values()))[0]
        tags: set[str] = set()
        topics: list[Topic] = []  # those the answer argues against the proposal on
        if rng.random() < 0.06:
            why = rng.choice(self.book.short_answers[agreement])
        else:
            for _attempt in range(8):
                tags = set()
                why, topics = self._why(agreement, tags)
                if why not in self.seen:
                    break
            self.seen.add(why)
        return Voice(
            number=number,
            agreement=agreement,
            why=self._fit("why", why),
            email=person_email(rng) if rng.random() < 0.08 else "",
            channel=self._channel(),
            worries=self._worries(agreement, topics),
            trust=self._fit("trust", self._trust(agreement)),
            extra=self._extra(agreement),
            equality=equality_for(rng, tags) if rng.random() < 0.4 else None,
            moment=moment_for(rng, "person"),
        )

    def _why(self, agreement: int, tags: set[str]) -> tuple[str, list[Topic]]:
        rng = self.rng
        stance = stance_of(agreement)
        # Most people make one or two points; a few write at length.
        size = rng.choices((1, 2, 3, 4, 5), (0.45, 0.35, 0.12, 0.05, 0.03))[0]
        if stance == "mixed":
            size = max(size, 2)  # someone in two minds gives a reason each way
        sides = self._sides(agreement, size)
        topics = self._pick_topics(sides)
        lived_left = 2 if size >= 3 else 1
        blocks: list[list[str]] = []
        for topic, side in zip(topics, sides, strict=True):
            said = topic.for_ if side == "for" else topic.against
            block = [rng.choice(said)]
            others = [sentence for sentence in said if sentence != block[0]]
            if others and size >= 3 and rng.random() < 0.35:
                block.append(rng.choice(others))
            link = ""
            if side != stance and stance != "mixed":
                link = rng.choice(CONCESSIONS if side == "for" else CAVEATS)
            elif stance == "mixed" and blocks and side != sides[0]:
                link = rng.choice(CAVEATS)
            if link:
                block[0] = self._join(link, block[0])
            lived = topic.lived_for if side == "for" else topic.lived_against
            # Stories back up what the writer believes, not a point they concede.
            if lived and lived_left and (side == stance or stance == "mixed") and rng.random() < 0.4:
                lived_left -= 1
                story = rng.choice(lived)
                if story.startswith("I"):  # about the writer, not someone they know
                    tags.add(topic.key)
                block.insert(len(block) if link or rng.random() < 0.4 else 0, story)
            blocks.append(block)
        if rng.random() < (0.75 if size > 1 else 0.45):
            blocks[0].insert(0, rng.choice(self.book.openings[agreement]))
        ending = []
        if rng.random() < (0.1 if stance == "against" else 0.15) * min(size, 2):
            ending += rng.sample(self.book.suggestions, 1 if size < 4 else 2)
        if rng.random() < 0.25:
            ending.append(rng.choice(self.book.closings[stance]))
        if ending:
            blocks.append(ending)
        register = choose_register(rng, agreement)
        paragraphs = size >= 3 and register != "rough" and rng.random() < 0.8
        text = ("\n\n" if paragraphs else " ").join(" ".join(block) for block in blocks)
        if "Welsh" in text:
            tags.add("welsh")
        against = [topic for topic, side in zip(topics, sides, strict=True) if side == "against"]
        return restyle(text, register, rng), against

    def _sides(self, agreement: int, size: int) -> list[str]:
        """Which way each topic of the answer leans: supporters may add a caveat, opponents a concession."""
        rng = self.rng
        if agreement == 3:
            sides = [rng.choice(("for", "against"))]
            while len(sides) < size:
                sides.append("against" if sides[-1] == "for" else "for")
            return sides
        main = "for" if agreement >= 4 else "against"
        sides = [main] * size
        if size > 1 and agreement in (4, 2) and rng.random() < 0.5:
            other = "against" if main == "for" else "for"
            sides[-1 if main == "for" else 0] = other
        return sides

    def _pick_topics(self, sides: list[str]) -> list[Topic]:
        chosen: list[Topic] = []
        for side in sides:
            pool = [t for t in self.book.topics if t not in chosen and (t.for_ if side == "for" else t.against)]
            chosen.append(self.rng.choices(pool, [t.weight for t in pool])[0])
        return chosen

    @staticmethod
    def _join(link: str, sentence: str) -> str:
        first = sentence.split(" ", 1)[0]
        if first == "I" or first.startswith("I'") or (len(first) > 1 and first.isupper()) or first in PROPER_WORDS:
            return link + sentence
        return link + sentence[0].lower() + sentence[1:]

    def _channel(self) -> str:
        if "channel" not in self.roles:
            return ""
        labels, weights = zip(*self.book.channels, strict=True)
        return self.rng.choices(labels, weights)[0]

    def _worries(self, agreement: int, topics: list[Topic]) -> tuple[str, ...]:
        rng = self.rng
        if "worries" not in self.roles or rng.random() < 0.2:
            return ()
        if agreement >= 4 and not topics and rng.random() < 0.45:
            return (self.book.no_worry,)
        labels = {topic.worry for topic in topics if topic.worry}
        everything = sorted({topic.worry for topic in self.book.topics if topic.worry})
        for _ in range(rng.choices((0, 1, 2, 3), (0.35, 0.35, 0.2, 0.1))[0] + (0 if labels else 1)):
            labels.add(rng.choice(everything))
        return tuple(sorted(labels))

    def _trust(self, agreement: int) -> str:
        rng = self.rng
        stance = stance_of(agreement)
        if "trust" not in self.roles or rng.random() > {"for": 0.65, "mixed": 0.6, "against": 0.5}[stance]:
            return ""
        # People rarely write the very same sentence: a few tries at one nobody has written yet.
        for _attempt in range(6):
            text = self._trust_text(agreement, stance)
            if text not in self.seen:
                self.seen.add(text)
                return text
        return ""

    def _trust_text(self, agreement: int, stance: str) -> str:
        rng = self.rng
        if stance == "against" and rng.random() < 0.45:
            return rng.choice(self.book.distrust)
        items = rng.sample(self.book.trust, min(len(self.book.trust), rng.choice((1, 1, 1, 1, 2, 3))))
        clauses = [clause for clause, _ in items]
        nouns = [noun for _, noun in items]
        form = rng.randrange(6)
        if form == 0 or len(items) == 1:
            text = rng.choice(("If {}.", "Only if {}.", "I'd feel better if {}.")).format(clauses[0])
        elif form == 1:
            text = f"I'd feel better if {', '.join(clauses[:-1])} and if {clauses[-1]}."
        elif form == 2:
            text = " ".join(f"{noun}." for noun in nouns)
        elif form == 3:
            text = "\n".join(f"- {noun}" for noun in nouns)
        elif form == 4:
            text = f"{nouns[0]}, that's the main thing. Also {', '.join(n[0].lower() + n[1:] for n in nouns[1:])}."
        else:
            text = f"Mainly {nouns[0][0].lower() + nouns[0][1:]}. And {nouns[-1][0].lower() + nouns[-1][1:]} too."
        text = text[0].upper() + text[1:]
        return restyle(text, choose_register(rng, agreement), rng)

    def _extra(self, agreement: int) -> str:
        """Something more, sometimes: one or two sentences on one point, or nothing to add."""
        rng = self.rng
        if "extra" not in self.roles or not self.book.extras or rng.random() > 0.35:
            return ""
        if self.book.low_effort_extras and rng.random() < 0.25:
            return rng.choice(self.book.low_effort_extras)
        for _attempt in range(6):
            group = rng.choice(self.book.extras)
            said = rng.sample(group, 2 if len(group) > 1 and rng.random() < 0.4 else 1)
            text = self._fit("extra", restyle(" ".join(said), choose_register(rng, agreement), rng))
            if text not in self.seen:  # nobody else wrote these very words
                self.seen.add(text)
                return text
        return ""

    def leave_personal_data(self, voices: list[Voice]) -> None:
        """Some people write down details a moderator must redact before anyone else reads them."""
        people = [voice for voice in voices if voice.respondent_type == "individual" and not voice.is_campaign]
        for voice, detail in zip(
            self.rng.sample(people, len(self.book.personal_data)), self.book.personal_data, strict=True
        ):
            if voice.extra and "extra" in self.roles and self.rng.random() < 0.5:
                voice.extra = self._fit("extra", f"{voice.extra} {detail}")
            else:
                voice.why = self._fit("why", f"{voice.why.rstrip()} {detail}")

    def _fit(self, role: str, text: str) -> str:
        """The text cut at a paragraph or sentence so that it fits the question's limit."""
        limit = self.limits.get(role, 2500)
        while len(text) > limit:
            cut = max(text.rfind("\n\n", 0, limit), text.rfind(". ", 0, limit - 1))
            text = text[: cut + 1].rstrip() if cut > 0 else text[:limit]
        return text

    # --- campaign and organisations ------------------------------------------------------------

    def campaigner(self, number: int) -> Voice:
        rng = self.rng
        text = campaign.LETTER
        roll = rng.random()
        if roll > 0.5:
            for old, new in rng.sample(campaign.EDITS, rng.choice((1, 1, 2, 3))):
                text = text.replace(old, new)
        if roll > 0.75:
            addition = rng.choice(campaign.PERSONAL_ADDITIONS)
            text = f"{addition}\n\n{text}" if rng.random() < 0.3 else f"{text}\n\n{addition}"
        worries = tuple(
            self.topics[key].worry
            for key in ("person", "accuracy", "jobs")
            if key in self.topics and rng.random() < 0.6
        )
        return Voice(
            number=number,
            agreement=1 if rng.random() < 0.85 else 2,
            why=self._fit("why", text),
            email=person_email(rng) if rng.random() < 0.15 else "",
            channel=self._channel(),
            worries=tuple(sorted(set(worries))) if "worries" in self.roles else (),
            extra=rng.choice(campaign.ANYTHING_ELSE) if "extra" in self.roles and rng.random() < 0.3 else "",
            moment=moment_for(rng, "campaign"),
            is_campaign=True,
        )

    def organisation(self, number: int, organisation: Organisation) -> Voice:
        rng = self.rng
        book = self.book
        stance = stance_of(organisation.agreement)
        side = "for" if stance == "for" else "against"
        evidence = rng.choice(book.org_evidence).format(n=rng.randrange(3, 40), m=f"{rng.randrange(8, 60) * 100:,}")
        paragraphs = [f"{organisation.about} {evidence}", rng.choice(book.org_stances[organisation.agreement])]
        for key in organisation.topics:
            options = book.org_paragraphs.get(key, {})
            texts = options.get(side) or options.get("against" if side == "for" else "for") or ()
            if stance == "mixed" and options.get("for") and rng.random() < 0.5:
                texts = options["for"]
            if texts:
                paragraphs.append(rng.choice(texts))
        closing = rng.choice(book.org_closings)
        why = self._fit("why", "\n\n".join(paragraphs))
        if len(why) + len(closing) + 2 <= self.limits.get("why", 2500):
            why = f"{why}\n\n{closing}"
        recommendations = [text for key in organisation.topics for text in book.org_recommendations.get(key, ())]
        trust = ""
        if "trust" in self.roles and recommendations:
            steps = "\n".join(f"{index}. {text}" for index, text in enumerate(recommendations, start=1))
            trust = self._fit(
                "trust", f"We would have confidence in the tool only if the following were done:\n\n{steps}"
            )
        return Voice(
            number=number,
            agreement=organisation.agreement,
            why=why,
            respondent_type="organisation",
            organisation_name=organisation.name,
            email=organisation_email(organisation.name) if rng.random() < 0.5 else "",
            channel=self._channel(),
            worries=self._organisation_worries(organisation),
            trust=trust,
            extra="We are content for this response to be published in full."
            if "extra" in self.roles and rng.random() < 0.4
            else "",
            moment=moment_for(rng, "organisation"),
        )

    def _organisation_worries(self, organisation: Organisation) -> tuple[str, ...]:
        if "worries" not in self.roles:
            return ()
        if organisation.agreement >= 4:
            return (self.book.no_worry,) if self.rng.random() < 0.5 else ()
        return tuple(sorted({self.topics[key].worry for key in organisation.topics if self.topics[key].worry}))
