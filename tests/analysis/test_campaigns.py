"""Copies and near-copies of one text are grouped into a campaign, with each supporter's additions."""

import random
from collections import Counter

import numpy as np
import pytest

from consult.analysis.campaigns import find_campaigns, rarity
from consult.analysis.types import AnswerText, Campaign

LETTER = (
    "I am writing as a member of the Keep Libraries Human campaign.\n\n"
    "I oppose the plan to replace library staff with an automated help desk. Libraries are one of "
    "the few places left where anyone can walk in and ask a real person for help with a form, a job "
    "application or a letter they do not understand.\n\n"
    "An automated help desk cannot notice when someone is struggling. It cannot sit down with an "
    "older reader and show them how to book a repeat prescription online.\n\n"
    "The money set aside for this system should be used to keep branches open for longer on "
    "weekday evenings and Saturdays.\n\n"
    "Please keep a trained member of staff on duty in every branch, every hour it is open."
)

LIGHT_EDITS = [
    ("I oppose the plan", "I strongly oppose the plan"),
    ("cannot notice", "can't notice"),
    ("a letter they do not understand", "a letter they don't understand"),
    ("older reader", "elderly reader"),
    ("I am writing as a member of the Keep Libraries Human campaign.\n\n", ""),
    ("Please keep", "Keep"),
    ("weekday evenings and Saturdays", "weekday evenings and at weekends"),
    ("It cannot sit down with an older reader", "It can never sit down with an older reader"),
    ("The money set aside for this system", "The money for this system"),
    ("every hour it is open.", "every hour it is open!"),
]

PERSONAL_SENTENCES = [
    "My son found his first job through the help he got at our library.",
    "I am 82 and the staff at my branch are the only people I speak to some weeks.",
    "Our branch already closes at four on Thursdays and the queue for the computers is out of the door.",
    "I volunteer at the reading group and we would not exist without the librarians.",
    "When my husband died it was a librarian who helped me fill in the bereavement forms. She was patient.",
]

SECOND_LETTER = (
    "As a parent of two young children I support longer opening hours at the library. Storytime on "
    "Saturday mornings is the highlight of our week, and the children's librarian knows every child "
    "by name. Please do not cut the children's service to pay for new technology, and please publish "
    "how many families use each branch before making any decision about its future."
)

VARIED_ANSWERS = [
    "I think an automated help desk could answer simple questions like opening times and free up staff.",
    "The library website is already confusing and a chatbot will only make it worse for older people.",
    "We need more computers in the branch, the ones we have are slow and always booked.",
    "I'm in favour as long as it is properly tested and there is still someone at the counter.",
    "My main worry is privacy: who sees what I ask the help desk, and for how long is it kept?",
    "Honestly the biggest problem is the heating, the reading room is freezing in winter.",
    "Could the council publish the cost of this system compared with the cost of a librarian?",
    "I use the library every week to print documents for my universal credit claim.",
    "Self-service machines for returning books work well, so I can see this working for some things.",
    "Please consider people who do not read English well, a machine will not understand them.",
    "The staff at the central library are brilliant and should be paid more, not replaced.",
    "A trial in one branch first would show whether it actually helps anyone.",
    "Automation in the NHS has not reduced waiting times in my experience, so I'm sceptical here.",
    "More evening opening would help students who work during the day.",
    "I would like to see the equality impact assessment before the council decides.",
    "The mobile library van stopped coming to our village last year and nobody told us why.",
    "Young people need somewhere warm and safe to study after school, and that needs adults present.",
    "If it saves money that can be spent on books then I'm broadly supportive.",
    "Digital help sessions on Tuesday mornings were excellent until they were cancelled.",
    "I'm disabled and the automated kiosks are at the wrong height for a wheelchair user.",
    "The consultation documents are far too long, please write them in plain English.",
    "It depends entirely on whether a person can still be reached when the machine gets it wrong.",
    "Libraries are about more than books and questions, they are community spaces.",
    "I have no strong view but I would not use an automated desk myself.",
    "Our branch hosts the food bank referrals and that needs a human being with judgement.",
    "Why not ask the library staff themselves what would help them most?",
    "Technology should support librarians, not be an excuse to get rid of them.",
    "I have used similar systems at the bank and they never understood what I needed.",
    "Keep the branches open on Sundays, that matters far more to my family than a help desk.",
    "Please make sure the new system works in Welsh as well as English from the first day.",
]


def answers_from(texts: list[str], *, first_id: int = 1) -> list[AnswerText]:
    return [AnswerText(id=first_id + offset, text=text) for offset, text in enumerate(texts)]


def campaign_answers() -> tuple[list[AnswerText], dict[int, str]]:
    """20 verbatim copies (ids 1-20), 10 lightly edited (21-30), 5 with a personal sentence
    added (31-35), and the sentence each of those added."""
    texts = [LETTER] * 20
    for number, (old, new) in enumerate(LIGHT_EDITS):
        edited = LETTER.replace(old, new)
        # Some supporters make two small edits.
        if number % 3 == 0:
            second_old, second_new = LIGHT_EDITS[(number + 1) % len(LIGHT_EDITS)]
            edited = edited.replace(second_old, second_new)
        assert edited != LETTER
        texts.append(edited)
    added = {}
    for number, sentence in enumerate(PERSONAL_SENTENCES):
        answer_id = len(texts) + 1
        texts.append(f"{sentence}\n\n{LETTER}" if number % 2 else f"{LETTER}\n\n{sentence}")
        added[answer_id] = sentence
    return answers_from(texts), added


def test_copies_light_edits_and_additions_form_one_campaign_with_the_additions_kept() -> None:
    answers, added = campaign_answers()
    answers += answers_from(VARIED_ANSWERS, first_id=100)

    campaigns = find_campaigns(answers)

    assert len(campaigns) == 1
    campaign = campaigns[0]
    assert campaign.key == 1
    assert campaign.member_ids == list(range(1, 36))
    assert campaign.canonical_id == 1
    assert campaign.additions == added


def test_an_addition_of_several_sentences_is_joined_with_spaces() -> None:
    answers = answers_from([LETTER] * 3)
    answers.append(AnswerText(4, f"{LETTER}\n\nI use the branch every day.\nIt is my lifeline! Thank you."))

    (campaign,) = find_campaigns(answers)

    assert campaign.additions == {4: "I use the branch every day. It is my lifeline! Thank you."}


def test_a_template_sentence_with_a_new_passage_inserted_counts_as_an_addition() -> None:
    original = "It cannot sit down with an older reader and show them how to book a repeat prescription online."
    extended = (
        "It cannot sit down with an older reader like my mother, who is nearly blind, and show them how "
        "to book a repeat prescription online."
    )
    shortened = "It cannot sit down with a reader and show them how to book a prescription online."
    answers = answers_from([LETTER, LETTER, LETTER])
    answers.append(AnswerText(4, LETTER.replace(original, extended)))
    answers.append(AnswerText(5, LETTER.replace(original, shortened)))

    (campaign,) = find_campaigns(answers)

    assert campaign.additions == {4: extended}


def test_unrelated_answers_are_not_grouped() -> None:
    assert find_campaigns(answers_from(VARIED_ANSWERS)) == []


def test_short_identical_answers_are_not_a_campaign() -> None:
    texts = ["No"] * 40 + ["no."] * 20 + ["I agree"] * 30 + ["Strongly disagree with this."] * 25 + ["N/A"] * 10
    texts += ["Yes, good idea."] * 15 + ["Keep the libraries open please!"] * 12

    assert find_campaigns(answers_from(texts)) == []


def test_identical_answers_differing_only_in_case_spacing_and_punctuation_are_copies() -> None:
    texts = [
        "Keep a real person on duty in every library branch, every hour it is open.",
        "keep a real person on duty in every library branch every hour it is open",
        "Keep a REAL person   on duty, in every library branch; EVERY hour it is open!!",
        "Keep a real person on duty in every library-branch, every hour it is open.",
    ]

    campaigns = find_campaigns(answers_from(texts))

    assert campaigns == [Campaign(key=1, canonical_id=1, member_ids=[1, 2, 3, 4], additions={})]


def test_two_different_campaigns_stay_separate_and_the_larger_comes_first() -> None:
    answers = answers_from([SECOND_LETTER] * 6, first_id=1)
    answers += answers_from([LETTER] * 9, first_id=50)
    answers += answers_from([SECOND_LETTER.replace("two young children", "three children")] * 2, first_id=90)
    answers += answers_from(VARIED_ANSWERS, first_id=200)

    campaigns = find_campaigns(answers)

    assert [(campaign.key, campaign.canonical_id, campaign.member_ids) for campaign in campaigns] == [
        (1, 50, list(range(50, 59))),
        (2, 1, [1, 2, 3, 4, 5, 6, 90, 91]),
    ]


def test_campaigns_of_equal_size_are_ordered_by_canonical_id() -> None:
    answers = answers_from([LETTER] * 4, first_id=10) + answers_from([SECOND_LETTER] * 4, first_id=5)

    campaigns = find_campaigns(answers)

    assert [(campaign.key, campaign.canonical_id) for campaign in campaigns] == [(1, 5), (2, 10)]


def test_the_canonical_answer_has_the_most_copied_text() -> None:
    variants = [LETTER.replace(old, new) for old, new in LIGHT_EDITS[:3]]
    answers = answers_from(variants, first_id=1) + answers_from([LETTER] * 3, first_id=10)

    (campaign,) = find_campaigns(answers)

    assert campaign.canonical_id == 10
    assert campaign.additions == {}


def test_the_most_copied_text_is_canonical_even_when_it_adds_to_the_others() -> None:
    signed = f"{LETTER}\n\nSigned by the Friends of Millbridge Library."
    answers = answers_from([LETTER, LETTER, LETTER.replace(*LIGHT_EDITS[0]), LETTER.replace(*LIGHT_EDITS[0])])
    answers += answers_from([signed] * 3, first_id=10)

    (campaign,) = find_campaigns(answers)

    assert campaign.canonical_id == 10
    # The others only left out the signature: they added nothing.
    assert campaign.additions == {}


def test_short_slogans_with_a_word_changed_are_one_campaign() -> None:
    slogan = "Say no to the automated help desk and keep a trained librarian in every branch."
    texts = [slogan] * 3 + [
        "Say NO to the automated help desk, keep a trained librarian in every branch!",
        "Say no to the automated help desk and keep a trained librarian in every single branch.",
        "Please say no to the automated help desk and keep a trained librarian in every branch.",
    ]

    campaigns = find_campaigns(answers_from(texts))

    assert [(campaign.canonical_id, campaign.member_ids) for campaign in campaigns] == [(1, [1, 2, 3, 4, 5, 6])]


def test_min_size_decides_how_many_copies_make_a_campaign() -> None:
    pair = answers_from([LETTER, LETTER.replace("older reader", "elderly reader")])
    five = answers_from([SECOND_LETTER] * 5, first_id=10)

    assert find_campaigns(pair) == []
    assert [campaign.member_ids for campaign in find_campaigns(pair, min_size=2)] == [[1, 2]]
    assert find_campaigns(five, min_size=6) == []
    assert [campaign.member_ids for campaign in find_campaigns(five, min_size=5)] == [[10, 11, 12, 13, 14]]


def test_a_higher_threshold_separates_edited_copies_from_verbatim_ones() -> None:
    heavily_edited = LETTER
    for old, new in LIGHT_EDITS[:8]:
        heavily_edited = heavily_edited.replace(old, new)
    answers = answers_from([LETTER] * 3 + [heavily_edited] * 3)

    assert [campaign.member_ids for campaign in find_campaigns(answers, threshold=0.5)] == [[1, 2, 3, 4, 5, 6]]
    assert sorted(campaign.member_ids for campaign in find_campaigns(answers, threshold=0.95)) == [
        [1, 2, 3],
        [4, 5, 6],
    ]


def test_the_result_is_the_same_every_time_and_whatever_the_order_of_the_answers() -> None:
    answers, _ = campaign_answers()
    answers += answers_from([SECOND_LETTER] * 4, first_id=60) + answers_from(VARIED_ANSWERS, first_id=100)
    shuffled = answers[:]
    random.Random(3).shuffle(shuffled)

    first = find_campaigns(answers, seed=5)

    assert len(first) == 2
    assert find_campaigns(answers, seed=5) == first
    assert find_campaigns(shuffled, seed=5) == first


def test_a_large_campaign_with_many_distinct_variants_is_found() -> None:
    rng = random.Random(21)
    vocabulary = " ".join(VARIED_ANSWERS).lower().replace(",", "").replace(".", "").split()
    texts = []
    for _ in range(1500):
        text = LETTER
        for old, new in rng.sample(LIGHT_EDITS, rng.randint(0, 2)):
            text = text.replace(old, new)
        if rng.random() < 0.5:
            text += "\n\n" + " ".join(rng.sample(vocabulary, rng.randint(6, 12))).capitalize() + "."
        texts.append(text)
    for _ in range(3500):
        texts.append(" ".join(rng.sample(vocabulary, rng.randint(8, 30))))

    campaigns = find_campaigns(answers_from(texts))

    assert len(campaigns) == 1
    assert campaigns[0].member_ids == list(range(1, 1501))


def test_the_demo_campaign_is_found() -> None:
    from consult.demo import campaign as demo

    rng = random.Random(2024)
    texts = []
    for number in range(40):
        text = demo.LETTER
        # Every supporter's edits, alone and in twos and threes, as the demo writer makes them.
        if number % 2:
            for old, new in rng.sample(demo.EDITS, rng.choice((1, 2, 3))):
                text = text.replace(old, new)
        texts.append(text)
    added = {}
    for number, addition in enumerate(demo.PERSONAL_ADDITIONS):
        answer_id = len(texts) + 1
        texts.append(f"{addition}\n\n{demo.LETTER}" if number % 3 == 0 else f"{demo.LETTER}\n\n{addition}")
        added[answer_id] = addition
    answers = answers_from(texts) + answers_from(VARIED_ANSWERS + list(demo.ANYTHING_ELSE), first_id=100)

    campaigns = find_campaigns(answers)

    assert len(campaigns) == 1
    assert campaigns[0].member_ids == list(range(1, len(texts) + 1))
    assert campaigns[0].canonical_id == 1
    assert campaigns[0].additions == added
    assert all(demo.CAMPAIGN_MARKER in texts[member_id - 1] for member_id in campaigns[0].member_ids)


# Answers to "What would make you trust an AI assistant on the benefits phone line?", written for
# these tests. Each varied answer below joins one to three of them, as people write.
TRUST_SENTENCES = [
    "I would trust it if a real person checked its decisions.",
    "Only if I can always ask to speak to someone instead.",
    "It needs to be tested on people like me before it goes live.",
    "Publish how often it gets things wrong, in plain English.",
    "My dad is deaf and the phone line is already hard for him.",
    "Tell me clearly when I am talking to a machine.",
    "If it gives wrong advice about my payments, who pays me back?",
    "The letters I get are confusing enough without a chatbot too.",
    "I'd want to know where my recordings are kept and for how long.",
    "Being able to appeal to a human quickly would help.",
    "It should work properly in Welsh from day one.",
    "Independent checks by someone other than the company that built it.",
    "I have ADHD and long menus on the phone make me give up.",
    "Short, clear answers and no jargon.",
    "I don't want my bank details read out to a computer.",
    "Proof that it has helped other claimants in my situation.",
    "The staff at my jobcentre were kind, keep them.",
    "Give it a trial in one area and report back honestly.",
    "My universal credit journal already loses messages.",
    "If it said when it did not know instead of guessing.",
    "It must not make decisions about sanctions on its own.",
    "My worry is that mistakes will fall hardest on disabled people.",
    "A written copy of the conversation sent to me afterwards.",
    "Compensation when it gets things wrong, the same as for staff errors.",
    "Waiting times are the real problem, fix those first.",
    "I'd trust it more if the department ran it rather than a contractor.",
    "Evidence from the pilot, including the complaints.",
    "It would have to understand my accent, the last system never did.",
    "Let people opt out without losing their place in the queue.",
    "I am a carer and I call on behalf of my mum, it must allow that.",
    "Knowing that my data will not be used to train other products.",
    "Regular audits for bias, published every year.",
    "A clear way to complain that reaches an actual person.",
    "It should hand over to an adviser when someone is upset.",
    "I use a screen reader so the online version must be accessible.",
    "Make sure it cannot be used to cut staff numbers.",
    "Honesty about what it is for: saving money or helping people.",
    "Test it with people who have learning disabilities.",
    "My English is not perfect, it must be patient with me.",
    "I worry about scammers pretending to be the bot.",
    "Answers that match what the website says.",
    "Someone accountable by name if it goes wrong.",
    "It should never ask for my password.",
    "Better training for the staff who will check its work.",
    "Shorter hold times, whatever you use.",
    "I'd like to see the rules it follows written down.",
    "Use it for simple things like payment dates only.",
    "I'm in favour if it really frees staff for harder cases.",
    "After my last call I would need a lot of convincing.",
    "It has to remember what I said earlier in the call.",
]


def varied_trust_answers(count: int, *, seed: int = 4) -> list[str]:
    rng = random.Random(seed)
    texts: set[str] = set()
    while len(texts) < count:
        texts.add(" ".join(rng.sample(TRUST_SENTENCES, rng.choice((1, 1, 2, 2, 3)))))
    return sorted(texts)


def test_generic_short_answers_many_people_write_are_not_campaigns() -> None:
    generic = (
        ["Nothing would make me trust it."] * 6
        + ["I would need to see it working first."] * 8
        + ["I would not trust it at all."] * 5
        + ["A real person should check every decision."] * 7
        + ["We are content for this response to be published in full."] * 17
        + ["I have nothing further to add at this time, thank you very much for asking."] * 12
    )
    rng = random.Random(8)
    texts = varied_trust_answers(200) + generic
    rng.shuffle(texts)

    assert find_campaigns(answers_from(texts)) == []


def test_a_distinctive_nine_word_slogan_repeated_thirty_times_is_a_campaign() -> None:
    slogan = "Scrap the robot assessor and hire more caseworkers now."
    copies = [slogan] * 24 + ["scrap the robot assessor and hire more caseworkers now!"] * 4
    copies += ["SCRAP THE ROBOT ASSESSOR AND HIRE MORE CASEWORKERS NOW"] * 2
    # Supporters who added a word are copies too, though the slogan's copies make its words common.
    copies += ["Scrap the robot assessor and hire more caseworkers now please."] * 3
    copies += ["Scrap the robot assessor and hire more caseworkers right now!"]
    answers = answers_from(varied_trust_answers(200), first_id=1) + answers_from(copies, first_id=1000)

    campaigns = find_campaigns(answers)

    assert [(campaign.canonical_id, campaign.member_ids) for campaign in campaigns] == [(1000, list(range(1000, 1034)))]


def test_a_short_slogan_among_too_few_other_answers_to_judge_its_rarity_is_not_a_campaign() -> None:
    slogan = "Scrap the robot assessor and hire more caseworkers now."
    answers = answers_from(varied_trust_answers(10) + [slogan] * 30)

    assert find_campaigns(answers) == []


TEMPLATE = (
    "I oppose using an automated assistant to answer calls about Personal Independence Payment. "
    "Claimants with complex conditions need a trained adviser who can listen, ask follow-up questions "
    "and use judgement. Please keep the human phone line open and publish the pilot's error rates."
)


def test_a_forty_word_template_sent_twenty_times_with_small_edits_is_a_campaign_with_additions_kept() -> None:
    assert 38 <= len(TEMPLATE.split()) <= 45
    edits = [
        ("I oppose", "I strongly oppose"),
        ("Please keep", "Keep"),
        ("trained adviser", "trained human adviser"),
        ("error rates", "error rate"),
        ("follow-up questions", "follow up questions"),
    ]
    texts = []
    for number in range(16):
        text = TEMPLATE
        if number % 2:
            text = text.replace(*edits[number % len(edits)])
        texts.append(text)
    added = {
        17: "My son has autism and hangs up on machines.",
        18: "The last assessment took me nine months to overturn at tribunal.",
        19: "I am a welfare rights adviser and see these errors every week.",
        20: "Please reply to me in Welsh.",
    }
    for answer_id, sentence in added.items():
        texts.append(f"{TEMPLATE} {sentence}" if answer_id % 2 else f"{sentence}\n\n{TEMPLATE}")
    answers = answers_from(texts) + answers_from(varied_trust_answers(200), first_id=100)

    campaigns = find_campaigns(answers)

    assert [(campaign.canonical_id, campaign.member_ids) for campaign in campaigns] == [(1, list(range(1, 21)))]
    assert campaigns[0].additions == added


def test_no_is_never_a_campaign_however_often_it_is_written() -> None:
    texts = ["No"] * 50 + ["no."] * 30 + ["NO!"] * 20 + ["No, no, no, no, no, no."] * 15 + ["Nope."] * 10

    assert find_campaigns(answers_from(texts) + answers_from(varied_trust_answers(50), first_id=500)) == []
    assert find_campaigns(answers_from(texts), min_size=2, threshold=0.1) == []


def test_long_non_answers_copied_many_times_are_not_a_campaign() -> None:
    texts = ["Nothing further to add at this time, thank you very much for the opportunity to comment."] * 25
    texts += ["Please see my answer to question 3 above, as I said before, thank you."] * 25

    assert find_campaigns(answers_from(texts + varied_trust_answers(40))) == []


def test_words_no_other_answer_uses_are_rarest_and_words_every_answer_uses_least_rare() -> None:
    frequency = Counter({"the": 100, "trust": 40, "caseworkers": 0})

    assert rarity({"caseworkers"}, frequency, 100) == 1.0
    assert rarity({"the"}, frequency, 100) == 0.0
    assert 0 < rarity({"trust"}, frequency, 100) < rarity({"trust", "caseworkers"}, frequency, 100) < 1


def test_signatures_are_datasketchs_minhash_whatever_the_batch(monkeypatch: pytest.MonkeyPatch) -> None:
    """The signatures computed many texts at a time are exactly those of datasketch's MinHash fed
    the same shingles, also when a batch ends in the middle of the texts."""
    from datasketch import MinHash

    from consult.analysis.near_copies import normalise, shingles, signatures

    written = [
        "I do not trust a computer to decide my benefits",
        "A person should check every decision before it is sent",
        "short one",
        "The tool should be tested on real cases before anyone relies on it, and the results published",
    ] * 5
    texts = [normalise(text) for text in written]
    monkeypatch.setattr("consult.analysis.near_copies.SIGNATURE_BATCH_SHINGLES", 7)
    rows = signatures(texts, num_perm=64, seed=3)
    for row, text in zip(rows, texts, strict=True):
        minhash = MinHash(num_perm=64, seed=3)
        for shingle in shingles(text.split()):
            minhash.update(shingle.encode())
        assert list(row) == list(minhash.hashvalues)
    assert len({tuple(row) for row in rows}) == 4


def _mixed_answers() -> list[AnswerText]:
    """Two letter campaigns with edits and additions, a short slogan (judged by its rarity among
    the others), generic short answers and varied ones, shuffled so that copies of each text fall
    in many ranges of ids."""
    letters, _ = campaign_answers()
    slogan = "Scrap the robot assessor and hire more caseworkers now."
    texts = [answer.text for answer in letters] + [SECOND_LETTER] * 6 + [slogan] * 20 + [slogan + "!"] * 5
    texts += ["Nothing would make me trust it."] * 9 + varied_trust_answers(150) + VARIED_ANSWERS
    random.Random(11).shuffle(texts)
    return answers_from(texts)


@pytest.mark.parametrize("ranges", [2, 3, 7, 40])
def test_campaigns_combined_from_scans_of_ranges_are_those_found_at_once(ranges: int) -> None:
    from consult.analysis.campaigns import combine, scan
    from consult.analysis.near_copies import Scan

    answers = _mixed_answers()
    by_id = {answer.id: answer.text for answer in answers}
    size = -(-len(answers) // ranges)
    # As a run keeps them: each scan stored as bytes, its signatures apart, read back by the piece
    # that merges them.
    made = [scan(answers[start : start + size]) for start in range(0, len(answers), size)]
    scans = [Scan.from_bytes(part.to_bytes()) for part in made]
    stored = [part.signature_bytes() for part in made]
    read: list[int] = []

    def scan_signatures(number: int) -> np.ndarray:
        read.append(number)
        return Scan.signatures_from_bytes(stored[number])

    combined = combine(
        scans, lambda ids: {answer_id: by_id[answer_id] for answer_id in ids}, scan_signatures=scan_signatures
    )

    expected = find_campaigns(answers)
    assert combined == expected
    assert len(read) == len(set(read))  # each scan's signatures read once at most
    with pytest.raises(ValueError, match="without its signatures"):
        combine(scans, lambda ids: {answer_id: by_id[answer_id] for answer_id in ids})
    assert [campaign.count for campaign in expected] == [35, 25, 6]


def test_only_texts_that_resemble_another_are_read_again_when_scans_are_combined() -> None:
    from consult.analysis.campaigns import combine, scan

    letters, _ = campaign_answers()
    answers = (
        letters + answers_from(VARIED_ANSWERS, first_id=100) + answers_from(varied_trust_answers(60), first_id=200)
    )
    by_id = {answer.id: answer.text for answer in answers}
    asked: set[int] = set()

    def texts_of(ids: list[int]) -> dict[int, str]:
        asked.update(ids)
        return {answer_id: by_id[answer_id] for answer_id in ids}

    (campaign,) = combine([scan(answers[:50]), scan(answers[50:])], texts_of)

    assert campaign.member_ids == list(range(1, 36))
    # Neither the varied answers nor the letter's verbatim copies (judged by their first) are read.
    assert not asked & set(range(100, 200))
    assert asked < set(campaign.member_ids) | set(range(200, 260))
    assert len(asked) < len(answers) / 3


def test_scans_made_with_different_parameters_are_not_merged() -> None:
    from consult.analysis.near_copies import merge, scan

    answers = answers_from([LETTER] * 4)
    with pytest.raises(ValueError, match="different parameters"):
        merge(
            [
                scan(answers[:2], threshold=0.7, num_perm=128, seed=1),
                scan(answers[2:], threshold=0.7, num_perm=128, seed=2),
            ]
        )
