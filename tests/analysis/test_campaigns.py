"""Copies and near-copies of one text are grouped into a campaign, with each supporter's additions."""

import random
from collections import Counter

from consult.analysis.campaigns import find_campaigns, rarity
from consult.analysis.types import AnswerText, Campaign
from tests.analysis.campaign_texts import (
    LETTER,
    LIGHT_EDITS,
    SECOND_LETTER,
    VARIED_ANSWERS,
    answers_from,
    campaign_answers,
    varied_trust_answers,
)


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
