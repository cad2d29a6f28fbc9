"""Themes found with BERTopic in a small corpus of six clearly different topics, embedded with the
real packaged model; late answers join the right theme; tiny inputs do not break anything. How many
themes there are is tested in test_theme_count.py."""

from collections import Counter

import numpy as np
import pytest

from consult.analysis.themes import (
    DEFAULT_MAX_THEMES,
    ThemeModel,
    assign_answers,
    discover_themes,
)
from consult.analysis.types import AnswerText

# Six topics, each with ten subjects, ten problems and ten requests, combined into fifty answers
# per topic (300 in all) so that no two answers say quite the same thing.
TOPICS = {
    "buses": (
        [
            "The number 12 bus",
            "The night bus",
            "Our local bus service",
            "The bus to the hospital",
            "The school bus",
            "The rural bus route",
            "The bus from the village",
            "The Sunday bus",
            "The express bus into town",
            "The bus stop on the high street",
        ],
        [
            "is always late",
            "is overcrowded at rush hour",
            "costs too much for a single fare",
            "was cut without warning",
            "is cancelled because there are no drivers",
            "stops running at 7pm",
            "never matches the timetable",
            "has no space for wheelchairs",
            "takes an hour to reach town",
            "skips stops when it is full",
        ],
        [
            "Please run buses more often.",
            "We need cheaper bus fares.",
            "Bring back the evening buses.",
            "The bus company must hire more drivers.",
            "Put real-time bus information at every stop.",
            "Buses should run on Sundays too.",
            "Give pensioners free bus passes all day.",
            "Make the bus operator publish its punctuality.",
            "Add more bus routes to the villages.",
            "Use bigger buses on busy routes.",
        ],
    ),
    "parks": (
        [
            "The park by the river",
            "Our playground",
            "The community garden",
            "The green space behind the flats",
            "The football pitches in the park",
            "The nature reserve",
            "The park benches",
            "The trees along the park path",
            "The allotments",
            "The duck pond in the park",
        ],
        [
            "is full of litter",
            "is overgrown",
            "is about to be sold to developers",
            "has no lighting at dusk",
            "has broken play equipment",
            "is the best thing about living here",
            "floods every winter",
            "has lost its wildflowers",
            "has no toilets",
            "is used by dog walkers every morning",
        ],
        [
            "Keep our parks green.",
            "Plant more trees in the park.",
            "Empty the park litter bins more often.",
            "Protect green spaces from building.",
            "Hire more park keepers.",
            "Mow the park grass more often.",
            "Fix the swings in the playground.",
            "Create a wildflower meadow for nature.",
            "Put more benches along the park paths.",
            "Give the park a proper budget.",
        ],
    ),
    "housing": (
        [
            "Rent in this town",
            "Housing for young families",
            "The council housing waiting list",
            "Private landlords",
            "Renting a student flat",
            "Affordable housing",
            "Damp in rented flats",
            "Homelessness in the town centre",
            "Buying a first home",
            "Social housing repairs",
        ],
        [
            "is unaffordable",
            "rises every year",
            "forces families out of the area",
            "takes years",
            "leaves tenants in mouldy homes",
            "costs more than half my wages",
            "has got worse since 2020",
            "is ignored by the council",
            "means people sleep on the streets",
            "is out of reach for nurses and carers",
        ],
        [
            "Build more council homes.",
            "Bring in rent controls.",
            "License every landlord.",
            "Stop no-fault evictions.",
            "Make developers build affordable homes.",
            "Cap rent increases.",
            "Repair social housing faster.",
            "Turn empty shops into flats.",
            "Help first-time buyers with deposits.",
            "Give tenants a say over repairs.",
        ],
    ),
    "schools": (
        [
            "Class sizes in primary schools",
            "School meals",
            "Teachers' workload",
            "Special needs support in schools",
            "The secondary school building",
            "After school clubs",
            "School funding",
            "Exam pressure on pupils",
            "School admissions",
            "Music lessons in schools",
        ],
        [
            "is hurting children's education",
            "has been cut again",
            "drives teachers out of the profession",
            "leaves pupils with special needs behind",
            "has a leaking roof",
            "is not enough to learn properly",
            "depends on which catchment you live in",
            "is causing anxiety in pupils",
            "means thirty-five pupils to a class",
            "has disappeared from the timetable",
        ],
        [
            "Hire more teachers.",
            "Fund schools properly.",
            "Give every pupil a free school meal.",
            "Pay teaching assistants more.",
            "Fix the school buildings.",
            "Bring back music and art lessons.",
            "Cut class sizes in schools.",
            "Support pupils with special needs.",
            "Reduce exams and testing.",
            "Keep school libraries open.",
        ],
    ),
    "ai": (
        [
            "The AI chatbot",
            "Automated benefit decisions",
            "The algorithm that scores applications",
            "Sharing my data with the AI supplier",
            "The machine learning model",
            "Facial recognition cameras",
            "The chatbot's answers about tax",
            "Using AI to triage casework",
            "Storing my records for the AI tool",
            "Automated fraud flags",
        ],
        [
            "cannot explain its decisions",
            "could be biased against minorities",
            "might leak my personal data",
            "makes mistakes nobody checks",
            "was brought in without asking the public",
            "replaces caseworkers with software",
            "uses my data without consent",
            "gives wrong answers",
            "has no way to appeal to a person",
            "is a black box",
        ],
        [
            "A human must check every AI decision.",
            "Publish how the algorithm works.",
            "Audit the AI model for bias.",
            "Keep my personal data private.",
            "Let people opt out of the AI.",
            "Give people the right to appeal to a human.",
            "Test the chatbot before it goes live.",
            "Explain automated decisions in plain English.",
            "Do not sell our data to AI companies.",
            "Stop using facial recognition.",
        ],
    ),
    "bins": (
        [
            "Bin collections",
            "The recycling centre",
            "Garden waste collection",
            "Food waste caddies",
            "Fly-tipping in the lanes",
            "Glass recycling",
            "The brown bin charge",
            "Plastic recycling rules",
            "Missed bin collections",
            "The rubbish tip",
        ],
        [
            "happen only every fortnight",
            "leave rubbish piling up in the street",
            "are confusing",
            "got worse since the new waste contract",
            "cost residents extra",
            "attract rats and foxes",
            "are never reported back",
            "mean recycling goes into landfill",
            "close too early on weekends",
            "leave broken glass on the pavement",
        ],
        [
            "Empty the bins every week.",
            "Make garden waste collection free.",
            "Print a clear recycling guide.",
            "Fine people who fly-tip.",
            "Open the tip on Sunday afternoons.",
            "Give every house a food waste bin.",
            "Recycle more kinds of plastic.",
            "Collect missed bins within two days.",
            "Put more recycling bins in the town centre.",
            "Stop charging for the brown bin.",
        ],
    ),
}
LATE = {
    "buses": "Please put on more buses in the evening, I cannot get home from work by bus.",
    "housing": "My landlord put my rent up again, I can barely afford my flat.",
    "bins": "The council should collect the recycling bins every week, not every fortnight.",
    "ai": "I do not trust an algorithm to decide my benefits; a person should check the AI.",
}
OFF_TOPIC = "My grandmother's lemon drizzle cake recipe uses three lemons and a cup of sugar."


def _corpus() -> tuple[list[AnswerText], list[str]]:
    answers, topics = [], []
    for topic, (subjects, problems, requests) in TOPICS.items():
        for n in range(50):
            # Every subject, problem and request is used five times, each time in other company.
            subject, problem, request = subjects[n % 10], problems[(n + n // 10) % 10], requests[(3 * n + n // 10) % 10]
            answers.append(AnswerText(id=1000 + len(answers), text=f"{subject} {problem}. {request}"))
            topics.append(topic)
    return answers, topics


@pytest.fixture(scope="module")
def corpus(embedder):
    answers, topics = _corpus()
    return answers, topics, embedder.encode([a.text for a in answers])


@pytest.fixture(scope="module")
def model(corpus) -> ThemeModel:
    answers, _, embeddings = corpus
    return discover_themes(answers, embeddings, seed=7)


# The seeds the topic test runs with (the other tests read the `model` fixture's single run).
SEEDS = (1, 2, 3, 7, 11)


def _primary(model: ThemeModel) -> list[int | None]:
    return [a.theme_keys[0] if a.theme_keys else None for a in model.assignments]


def _topic_themes(model: ThemeModel, topics: list[str]) -> dict[str, tuple[int, int]]:
    """For each topic: the theme most of its answers have, and how many of its 50 have it."""
    primary = _primary(model)
    found = {}
    for topic in TOPICS:
        keys = Counter(k for k, t in zip(primary, topics, strict=True) if t == topic and k is not None)
        found[topic] = keys.most_common(1)[0]
    return found


def test_each_topic_is_found_as_one_theme(corpus):
    """Over several seeds, since one seed's result moves with the numeric libraries' versions: a
    run may split a topic into a sub-theme (seen: the AI chatbot for tax questions, one subject of
    the AI topic), but most runs find each topic whole, and no run confuses two topics."""
    answers, topics, embeddings = corpus
    whole_runs = 0
    for seed in SEEDS:
        model = discover_themes(answers, embeddings, seed=seed)
        found = _topic_themes(model, topics)
        # No two topics share a theme, and each topic is mostly one theme...
        assert len({key for key, _ in found.values()}) == len(TOPICS), (seed, found)
        assert all(count >= 0.6 * 50 for _, count in found.values()), (seed, found)
        assert len(model.themes) <= 8
        # ...and in most runs wholly so.
        whole_runs += all(count >= 0.8 * 50 for _, count in found.values())
    assert whole_runs >= len(SEEDS) - 1, whole_runs


def test_at_most_a_tenth_of_answers_is_unassigned(model):
    assert model.unassigned_share <= 0.10
    assert len(model.assignments) == 300


def test_keywords_are_the_topic_words(corpus, model):
    _, topics, _ = corpus
    primary = _primary(model)
    expected = {"buses": "bus", "parks": "park", "housing": "rent", "schools": "school", "ai": "ai", "bins": "bin"}
    for topic, word in expected.items():
        key = Counter(k for k, t in zip(primary, topics, strict=True) if t == topic).most_common(1)[0][0]
        keywords = model.themes[key - 1].keywords
        assert any(word in keyword for keyword in keywords[:5]), (topic, keywords)


def test_themes_are_numbered_from_one_largest_first(model):
    assert [t.key for t in model.themes] == list(range(1, len(model.themes) + 1))
    sizes = [len(t.member_ids) for t in model.themes]
    assert sizes == sorted(sizes, reverse=True)


def test_primary_theme_of_every_answer_lists_it_as_a_member(corpus, model):
    answers, _, _ = corpus
    assert [a.answer_id for a in model.assignments] == [a.id for a in answers]
    members = {t.key: set(t.member_ids) for t in model.themes}
    for assignment in model.assignments:
        if assignment.theme_keys:
            assert assignment.answer_id in members[assignment.theme_keys[0]]
            assert len(set(assignment.theme_keys)) == len(assignment.theme_keys)


def test_representatives_are_real_members_of_their_theme(corpus, model):
    answers, _, _ = corpus
    ids = {a.id for a in answers}
    for theme in model.themes:
        assert theme.representative_ids
        assert set(theme.representative_ids) <= set(theme.member_ids) <= ids


def test_same_input_and_seed_give_identical_themes(corpus, model):
    answers, _, embeddings = corpus
    again = discover_themes(answers, embeddings, seed=7)
    assert again.themes == model.themes
    assert again.assignments == model.assignments
    np.testing.assert_array_equal(again.centroids, model.centroids)
    np.testing.assert_array_equal(again.thresholds, model.thresholds)


def test_theme_cap_is_respected(corpus):
    answers, _, embeddings = corpus
    capped = discover_themes(answers, embeddings, max_themes=3)
    assert 1 <= len(capped.themes) <= 3
    assert capped.unassigned_share <= 0.10


def test_every_theme_has_the_minimum_support(corpus):
    answers, _, embeddings = corpus
    model = discover_themes(answers, embeddings, min_theme_size=40)
    assert model.themes
    assert all(len(t.member_ids) >= 40 for t in model.themes)


def test_late_answers_join_the_theme_of_their_topic(corpus, model, embedder):
    _, topics, _ = corpus
    primary = _primary(model)
    for topic, text in LATE.items():
        expected = Counter(k for k, t in zip(primary, topics, strict=True) if t == topic).most_common(1)[0][0]
        [keys] = assign_answers(model, embedder.encode([text]))
        assert keys and keys[0] == expected, (topic, keys)


def test_off_topic_late_answer_fits_no_theme(model, embedder):
    assert assign_answers(model, embedder.encode([OFF_TOPIC])) == [[]]


def test_stored_centroids_assign_like_the_model(model, embedder):
    vectors = embedder.encode([*LATE.values(), OFF_TOPIC])
    stored = assign_answers(
        model.centroids, vectors, thresholds=model.thresholds, keys=model.keys, secondary_margin=model.secondary_margin
    )
    assert stored == assign_answers(model, vectors)


def test_timings_and_parameters_are_recorded(model):
    assert {"umap", "cluster", "merge", "assign", "keywords", "total"} <= set(model.timings)
    assert model.parameters["seed"] == 7
    assert model.parameters["max_themes"] == DEFAULT_MAX_THEMES == 100
    assert model.parameters["min_themes"] == 2
    assert model.cut.fragments >= model.cut.themes >= len(model.themes)


@pytest.mark.parametrize("count", [0, 1, 4, 9])
def test_inputs_under_twice_the_minimum_size_give_one_theme_or_none(corpus, count):
    answers, _, embeddings = corpus
    model = discover_themes(answers[:count], embeddings[:count])
    assert len(model.assignments) == count
    assert len(model.themes) == (1 if count >= 5 else 0)
    if model.themes:
        assert model.themes[0].member_ids == [a.id for a in answers[:count]]
    assert all(keys in ([], [1]) for keys in assign_answers(model, embeddings[:2]))


def test_answers_of_only_stop_words_do_not_break_discovery(corpus):
    answers, _, embeddings = corpus
    blank = [AnswerText(id=a.id, text="no" if i % 2 else "?") for i, a in enumerate(answers)]
    model = discover_themes(blank, embeddings)
    assert model.themes
    assert all(t.keywords == [] or all(isinstance(k, str) for k in t.keywords) for t in model.themes)


def test_a_vocabulary_of_one_word_still_gives_keywords(corpus):
    answers, _, embeddings = corpus
    numbered = [AnswerText(id=a.id, text=f"answer {i}") for i, a in enumerate(answers)]
    model = discover_themes(numbered, embeddings)
    assert model.themes
    assert all(t.keywords == ["answer"] for t in model.themes)


def test_mismatched_embeddings_are_refused(corpus):
    answers, _, embeddings = corpus
    with pytest.raises(ValueError, match="embeddings"):
        discover_themes(answers[:10], embeddings[:9])
