"""The packaged embedding model loads offline and gives stable, normalised vectors."""

import os

import numpy as np
import pytest

from consult.analysis.embedding import DEFAULT_MODEL_NAME, from_bytes, load_embedder, to_bytes


@pytest.fixture(scope="module")
def embedder():
    # Any attempt to reach the Hugging Face hub fails loudly instead of waiting on the network.
    saved = {name: os.environ.get(name) for name in ("HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE")}
    os.environ.update(HF_HUB_OFFLINE="1", TRANSFORMERS_OFFLINE="1")
    yield load_embedder()
    for name, value in saved.items():
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value


def test_packaged_model_loads_offline_under_its_hub_name(embedder):
    assert embedder.name == DEFAULT_MODEL_NAME == "sentence-transformers/all-MiniLM-L6-v2"
    assert embedder.dimensions == 384


def test_vectors_are_384_float32_values_of_unit_length(embedder):
    vectors = embedder.encode(["Buses should run later at night.", "Keep the library open on Sundays."])
    assert vectors.shape == (2, 384)
    assert vectors.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)


def test_same_text_gives_the_same_vector(embedder):
    first = embedder.encode(["The chatbot must tell people they are talking to a machine."])
    second = embedder.encode(["Something else first.", "The chatbot must tell people they are talking to a machine."])
    np.testing.assert_allclose(first[0], second[1], atol=1e-5)


def test_similar_answers_are_closer_than_unrelated_ones(embedder):
    bus, train, cake = embedder.encode(["The bus is always late.", "Trains never run on time.", "I baked a cake."])
    assert bus @ train > bus @ cake


def test_no_texts_give_an_empty_matrix(embedder):
    assert embedder.encode([]).shape == (0, 384)


def test_embedder_is_loaded_once_per_name(embedder):
    assert load_embedder(None) is embedder
    assert load_embedder("") is embedder
    assert load_embedder("all-MiniLM-L6-v2") is embedder
    assert load_embedder(DEFAULT_MODEL_NAME) is embedder


def test_stored_bytes_read_back_as_the_same_vector(embedder):
    vector = embedder.encode(["Round trip through the database."])[0]
    data = to_bytes(vector)
    assert len(data) == 384 * 4
    restored = from_bytes(data, 384)
    assert restored.dtype == np.float32
    assert restored.flags.writeable
    np.testing.assert_array_equal(restored, vector)


def test_bytes_of_another_size_are_refused():
    with pytest.raises(ValueError, match="1536 bytes"):
        from_bytes(b"\x00" * 100, 384)
    with pytest.raises(ValueError, match="one vector"):
        to_bytes(np.zeros((2, 3)))
