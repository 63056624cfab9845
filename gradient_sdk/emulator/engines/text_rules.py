"""What every text engine does alike, whatever runs its model: how much room a prompt leaves
for new tokens, and how new tokens become text.

Kept free of torch and llama.cpp, so both engines (and their tests) share one version.
"""

from __future__ import annotations

from collections.abc import Callable

from .base import PromptTooLongError


def room_after(prompt_length: int, context_window: int) -> int:
    """The new tokens that fit after a prompt of ``prompt_length`` tokens; a prompt that
    leaves no room for one raises :class:`PromptTooLongError`."""
    room = context_window - prompt_length
    if room < 1:
        raise PromptTooLongError(
            f"the prompt is {prompt_length} tokens; the context window is {context_window}"
        )
    return room


def continuation_text(
    decode: Callable[[list[int]], str], prompt_ids: list[int], generated: list[int]
) -> str:
    """The text of ``generated`` as it reads after the prompt: decoded in the prompt's
    context, since a token that starts with a space marker decodes differently at the start
    of a text. ``decode`` leaves special tokens out."""
    head = decode(prompt_ids)
    whole = decode(prompt_ids + generated)
    if whole.startswith(head):
        return whole[len(head) :]
    return decode(generated)
