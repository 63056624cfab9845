"""The prompts the emulator writes around a user's text: grounding a question in passages."""

from __future__ import annotations

from collections.abc import Callable, Sequence


def grounded_prompt(question: str, passages: Sequence[str]) -> str:
    """A question with the passages to answer it from, for a chat template's user turn."""
    context = "\n\n".join(
        f"[{number}] {passage.strip()}" for number, passage in enumerate(passages, 1)
    )
    return (
        "Answer the question using only the context below. If the context does not say, "
        "say that you do not know.\n\n"
        f"Context:\n{context}\n\n"
        f"Question: {question.strip()}"
    )


#: Tokens kept free for the chat template's own words around the user's turn.
TEMPLATE_ALLOWANCE = 48


def fitted_grounded_prompt(
    question: str, passages: Sequence[str], *, count_tokens: Callable[[str], int], budget: int
) -> str:
    """:func:`grounded_prompt` with as many passages, best first, as fit in ``budget`` tokens
    (the last one kept is shortened if even it alone does not fit)."""
    kept = list(passages)
    limit = budget - TEMPLATE_ALLOWANCE
    while kept:
        prompt = grounded_prompt(question, kept)
        if count_tokens(prompt) <= limit:
            return prompt
        if len(kept) > 1:
            kept.pop()
            continue
        words = kept[0].split()
        if len(words) <= 1:
            break
        kept[0] = " ".join(words[: len(words) // 2])
    return grounded_prompt(question, [])
