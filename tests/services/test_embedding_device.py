"""Where the embedding model runs (EMBEDDING_DEVICE) and how many texts it takes at once
(EMBEDDING_BATCH_SIZE): the same code on a CPU worker and a GPU worker; a GPU asked for where
there is none, or a setting that means nothing, fails at once with a message that says why."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from django.core import checks
from django.test import override_settings

from consult.analysis import embedding as embedding_lib
from consult.services import embeddings

HAS_GPU = torch.cuda.is_available()


def errors() -> dict[str, str]:
    return {message.id: message.msg for message in checks.run_checks() if message.level >= checks.ERROR}


def test_the_default_embedder_runs_on_the_cpu_with_batches_of_64():
    embedder = embeddings.configured_embedder()

    assert embedder.device == "cpu"
    assert embedder.batch_size == 64


@pytest.mark.skipif(HAS_GPU, reason="auto takes the GPU where there is one")
def test_auto_takes_the_cpu_on_a_machine_without_a_gpu():
    with override_settings(EMBEDDING_DEVICE="auto"):
        embedder = embeddings.configured_embedder()

    assert embedder.device == "cpu"
    assert embedder.model is embeddings.configured_embedder().model  # one model per name and device


@pytest.mark.skipif(HAS_GPU, reason="this machine has a GPU")
def test_cuda_on_a_machine_without_a_gpu_fails_when_the_model_loads():
    with override_settings(EMBEDDING_DEVICE="cuda"), pytest.raises(embedding_lib.DeviceUnavailable) as raised:
        embeddings.configured_embedder()

    assert "EMBEDDING_DEVICE" in str(raised.value)
    assert "no CUDA GPU" in str(raised.value)


@pytest.mark.skipif(not HAS_GPU, reason="needs a GPU")
def test_on_a_gpu_the_vectors_are_those_of_the_cpu():
    texts = ["Keep a real person on the phone line.", "My data must not be sold."]
    cpu = embedding_lib.load_embedder(device="cpu").encode(texts)
    gpu = embedding_lib.load_embedder(device="cuda", batch_size=512)

    assert gpu.device.startswith("cuda")
    np.testing.assert_allclose(gpu.encode(texts), cpu, atol=1e-4)


def test_the_batch_size_is_the_settings_and_does_not_change_the_vectors():
    texts = [f"Answer number {n} about the phone line." for n in range(5)]
    with override_settings(EMBEDDING_BATCH_SIZE=2):
        small = embeddings.configured_embedder()

    assert small.batch_size == 2
    np.testing.assert_allclose(small.encode(texts), embeddings.configured_embedder().encode(texts), atol=1e-5)


@pytest.mark.parametrize("device", ["gpu", "CUDA0", "cuda:"])
def test_a_device_that_means_nothing_is_refused_at_load_and_at_startup(device: str):
    with pytest.raises(ValueError, match="cpu, cuda, cuda:N or auto"):
        embedding_lib.load_embedder(device=device)
    with override_settings(EMBEDDING_DEVICE=device):
        found = errors()

    assert "consult.E010" in found
    assert device in found["consult.E010"]


@pytest.mark.parametrize("device", ["cpu", "cuda", "cuda:1", "auto"])
def test_the_devices_that_mean_something_pass_the_startup_check(device: str):
    with override_settings(EMBEDDING_DEVICE=device):
        assert "consult.E010" not in errors()


@pytest.mark.parametrize(
    ("name", "value"), [("EMBEDDING_BATCH_SIZE", 0), ("EMBEDDING_TASK_SIZE", -5), ("EMBEDDING_WAIT_SECONDS", -1)]
)
def test_sizes_and_waits_out_of_range_fail_at_startup(name: str, value: int):
    with override_settings(**{name: value}):
        found = errors()

    assert f"{name} is {value}" in found.get("consult.E011", "")


def test_a_wait_of_zero_is_allowed():
    with override_settings(EMBEDDING_WAIT_SECONDS=0):
        assert "consult.E011" not in errors()
