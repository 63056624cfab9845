"""The size of torch's thread pools: the usable cores by default, ``--threads`` otherwise."""

from __future__ import annotations

import os

import pytest
import torch

from gradient_sdk.emulator.engines.threads import apply_threads, usable_cores
from gradient_sdk.emulator.settings import EmulatorSettings


def test_usable_cores_are_the_affinity_of_this_process() -> None:
    if hasattr(os, "sched_getaffinity"):
        assert usable_cores() == len(os.sched_getaffinity(0))
    assert 1 <= usable_cores() <= (os.cpu_count() or 1)


def test_apply_threads_sizes_the_intra_op_pool() -> None:
    before = torch.get_num_threads()
    try:
        apply_threads(1)
        assert torch.get_num_threads() == 1
    finally:
        torch.set_num_threads(before)


def test_apply_threads_refuses_less_than_one() -> None:
    with pytest.raises(ValueError, match="at least 1"):
        apply_threads(0)


def test_settings_default_to_the_usable_cores_and_refuse_zero() -> None:
    assert EmulatorSettings().threads == usable_cores()
    with pytest.raises(ValueError, match="threads"):
        EmulatorSettings(threads=0)
