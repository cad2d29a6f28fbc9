"""Copies and near-copies of one text are grouped into a campaign, with each supporter's additions."""

import random

from consult.analysis.campaigns import find_campaigns
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
        "Keep a real person on duty in every library branch.",
        "keep a real person on duty in every library branch",
        "Keep a REAL person   on duty, in every library branch!!",
        "Keep a real person on duty in every library-branch.",
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
