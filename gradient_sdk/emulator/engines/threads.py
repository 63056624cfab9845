"""How many threads the engines' tensor work may keep busy.

torch's CPU kernels split each operation over a pool of intra-op threads, one per core by
default. That is right when one operation runs at a time and wrong when several do: two
worker threads each running a forward pass with a pool the size of the machine keep twice as
many threads busy as there are cores, and on a shared machine every extra spinning thread
costs the others (a fine-tune that takes 6 s with one thread took minutes so). This module
sets the size of that pool, for the whole process: by default the cores this process may
run on, or what ``gradient emulator --threads N`` asks for.

Importing this module is cheap; torch is imported when the threads are applied.
"""

from __future__ import annotations

import logging
import os

logger = logging.getLogger(__name__)


def usable_cores() -> int:
    """The cores this process may run on: its CPU affinity where the platform has one (a
    container or ``taskset`` may allow fewer than the machine has), else every core."""
    affinity = getattr(os, "sched_getaffinity", None)
    if affinity is not None:
        return max(1, len(affinity(0)))
    return max(1, os.cpu_count() or 1)


def apply_threads(threads: int) -> None:
    """Size torch's intra-op and inter-op thread pools to ``threads``, for the whole process.

    torch lets the inter-op pool be sized only before it first runs work; after that the
    pool keeps its size (the emulator's engines never use it: they run no ``torch.jit.fork``),
    which is logged, not raised.
    """
    if threads < 1:
        raise ValueError(f"threads must be at least 1, got {threads}")
    import torch

    if torch.get_num_threads() != threads:
        torch.set_num_threads(threads)
    if torch.get_num_interop_threads() != threads:
        try:
            torch.set_num_interop_threads(threads)
        except RuntimeError:
            logger.debug(
                "torch's inter-op pool already runs with %d threads; it keeps them",
                torch.get_num_interop_threads(),
            )
    logger.info("tensor work uses %d thread(s)", threads)
