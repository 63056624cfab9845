"""The prompts of the text blocks: summarize, analyze sentiment, personalize, extract.

Each block's prompt was picked by measurement on SmolLM2-135M-Instruct (see
``docs/blocks.md``): summaries, rewrites and extraction follow an instruction in the chat
template; sentiment is classified best as a plain few-shot completion (7 of 8 test reviews
right, against 5 of 8 for the same instruction in the chat template), so it runs without the
template, with three built-in examples when the caller gives none.
"""

from __future__ import annotations

from collections.abc import Sequence

import attrs

from ...records import (
    ExtractSchemaValue,
    Sentiment,
    SentimentExample,
    SummarizeExample,
    SummarizeLength,
)


@attrs.frozen
class BlockPrompt:
    """What to ask the model: the prompt, whether it goes through the chat template, and
    how many new tokens the answer may take."""

    text: str
    chat_template: bool
    max_new_tokens: int


#: New tokens a summary may take, by length (``None``: medium).
SUMMARY_TOKENS = {SummarizeLength.SHORT: 48, SummarizeLength.MEDIUM: 96, SummarizeLength.LONG: 192}
_SUMMARY_STYLE = {
    SummarizeLength.SHORT: "in one sentence",
    SummarizeLength.MEDIUM: "in a few sentences",
    SummarizeLength.LONG: "in a detailed paragraph",
}
#: A sentiment is one word, at most a few tokens; constrained decoding finishes it.
SENTIMENT_TOKENS = 4
#: A rewrite may be about twice as long as its document, within these bounds.
PERSONALIZE_TOKENS = (64, 384)
#: Tokens for the braces, and per field for its key and value, of an extracted object.
EXTRACT_TOKENS = (8, 40)

#: The examples sentiment uses when the caller gives none: one of each.
DEFAULT_SENTIMENT_EXAMPLES = (
    SentimentExample(
        document="The food was delicious and the staff were friendly.",
        sentiment=Sentiment.POSITIVE,
    ),
    SentimentExample(
        document="The bus was late and the driver was rude.", sentiment=Sentiment.NEGATIVE
    ),
    SentimentExample(document="The store opens at 9 am on weekdays.", sentiment=Sentiment.NEUTRAL),
)


def summarize_prompt(
    document: str, examples: Sequence[SummarizeExample], length: SummarizeLength | None
) -> BlockPrompt:
    """Summarize ``document``, like the examples, at the length asked."""
    length = length or SummarizeLength.MEDIUM
    shots = "".join(
        f"Document: {example.document.strip()}\nSummary: {example.summary.strip()}\n\n"
        for example in examples
    )
    lead = "Summaries in the style wanted:\n\n" + shots if shots else ""
    text = (
        f"Summarize the document below {_SUMMARY_STYLE[length]}. Reply with the summary only."
        f"\n\n{lead}Document: {document.strip()}"
    )
    return BlockPrompt(text, chat_template=True, max_new_tokens=SUMMARY_TOKENS[length])


def sentiment_prompt(document: str, examples: Sequence[SentimentExample]) -> BlockPrompt:
    """Classify ``document``'s sentiment, after the examples (the built-in ones if none)."""
    shots = "".join(
        f"Text: {_one_line(example.document)}\nSentiment: {example.sentiment.value}\n\n"
        for example in (examples or DEFAULT_SENTIMENT_EXAMPLES)
    )
    text = (
        "What is the sentiment of the text? Answer with one word: positive, negative or "
        f"neutral.\n\n{shots}Text: {_one_line(document)}\nSentiment:"
    )
    return BlockPrompt(text, chat_template=False, max_new_tokens=SENTIMENT_TOKENS)


def personalize_prompt(
    document: str, audience_description: str, *, document_tokens: int
) -> BlockPrompt:
    """Rewrite ``document`` for the audience."""
    low, high = PERSONALIZE_TOKENS
    text = (
        f"Rewrite the document below for this audience: {audience_description.strip()}. "
        "Keep its meaning and its facts; choose the words, tone and examples that suit the "
        f"audience. Reply with the rewritten document only.\n\nDocument: {document.strip()}"
    )
    return BlockPrompt(
        text, chat_template=True, max_new_tokens=max(low, min(high, 2 * document_tokens))
    )


def extract_prompt(document: str, schema: dict[str, ExtractSchemaValue]) -> BlockPrompt:
    """Read the schema's values out of ``document`` as one JSON object."""
    fields = ", ".join(
        f"{key} ({value.type.value}{', required' if value.required else ''})"
        for key, value in schema.items()
    )
    overhead, per_field = EXTRACT_TOKENS
    text = (
        f"Extract these fields from the document as a JSON object: {fields}.\n\n"
        f"Document: {document.strip()}"
    )
    return BlockPrompt(text, chat_template=True, max_new_tokens=overhead + per_field * len(schema))


def _one_line(text: str) -> str:
    """A text on one line, so that a few-shot example cannot end in the middle of another."""
    return " ".join(text.split())
