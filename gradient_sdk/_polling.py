"""Waiting for server-side work (sans-I/O): growing pauses, and an overall deadline.

The caller looks, and if the work is unfinished asks :meth:`Polling.next_pause` how long to
sleep; None means the time is up. Time counts both on the clock and in the pauses taken, so
the deadline also holds where sleeping is simulated (tests) or the clock is coarse.
"""

from __future__ import annotations

import math

import attrs


def check_timeout(timeout: float | None) -> None:
    """A timeout must be a positive number of seconds, or None (no deadline)."""
    if timeout is None:
        return
    if isinstance(timeout, bool) or not isinstance(timeout, int | float):
        raise TypeError(f"timeout must be a number of seconds or None, got {timeout!r}")
    if not timeout > 0 or math.isnan(timeout):
        raise ValueError(f"timeout must be a positive number of seconds, got {timeout!r}")


@attrs.define
class Polling:
    """The pauses between looks: ``first_delay``, doubling up to ``max_delay``, never past
    ``timeout`` seconds after ``started`` (None: no deadline)."""

    timeout: float | None
    started: float
    first_delay: float
    max_delay: float
    _paused: float = 0.0
    _delay: float | None = None

    def next_pause(self, now: float) -> float | None:
        """How long to wait before the next look; None once the time is up."""
        delay = self.first_delay if self._delay is None else self._delay
        pause = delay
        if self.timeout is not None:
            left = self.timeout - max(self._paused, now - self.started)
            if left <= 0:
                return None
            pause = min(delay, left)
        self._paused += pause
        self._delay = min(delay * 2, self.max_delay)
        return pause
