"""Each chunker does what its name says, on a known text."""

from __future__ import annotations

from collections.abc import Sequence

import pytest

from gradient_sdk.emulator.services.chunking import (
    DEFAULT_OVERLAP,
    DEFAULT_SIZE,
    chunk_text,
    split_sentences,
    with_defaults,
)
from gradient_sdk.records import (
    FileChunker,
    MeaningBasedChunker,
    NormalChunker,
    SentenceWithContextChunker,
)

TEXT = (
    "Cats purr when they are happy. Cats also knead soft blankets. "
    "Rockets burn fuel to reach orbit. Rockets carry satellites into space."
)
SENTENCES = [
    "Cats purr when they are happy.",
    "Cats also knead soft blankets.",
    "Rockets burn fuel to reach orbit.",
    "Rockets carry satellites into space.",
]


def no_embedder(texts: Sequence[str]) -> list[list[float]]:
    raise AssertionError("this chunker embeds nothing")


def topic_embedder(texts: Sequence[str]) -> list[list[float]]:
    """Cats along one axis, rockets along the other: similarity 1 within, 0 across."""
    return [[1.0, 0.0] if "Cats" in text else [0.0, 1.0] for text in texts]


def test_sentences_are_split_by_the_documented_rule() -> None:
    text = (
        'Mr. J. Smith met Dr. Lee at 5 p.m. in St. Louis, e.g. near the arch. "Hello!" '
        "he said. Was it 3? Yes.\n\nA new paragraph without a full stop\n\nand a last one."
    )

    assert split_sentences(text) == [
        "Mr. J. Smith met Dr. Lee at 5 p.m. in St. Louis, e.g. near the arch.",
        '"Hello!" he said.',
        "Was it 3?",
        "Yes.",
        "A new paragraph without a full stop",
        "and a last one.",
    ]
    assert split_sentences(TEXT) == SENTENCES


def test_the_file_chunker_makes_one_chunk() -> None:
    [chunk] = chunk_text(f"  {TEXT}\n", FileChunker(), no_embedder)

    assert chunk.embedded == chunk.content == TEXT


def test_the_normal_chunker_makes_overlapping_word_windows() -> None:
    text = "one two three four five six seven eight nine ten"

    chunks = chunk_text(text, NormalChunker(size=4, overlap=1), no_embedder)

    assert [c.content for c in chunks] == [
        "one two three four",
        "four five six seven",
        "seven eight nine ten",
    ]
    assert all(c.embedded == c.content for c in chunks)


def test_a_window_keeps_the_texts_own_spacing() -> None:
    [first, second] = chunk_text("a  b\nc d\te f", NormalChunker(size=3, overlap=0), no_embedder)

    assert (first.content, second.content) == ("a  b\nc", "d\te f")


def test_the_sentence_chunker_keeps_whole_sentences_and_adds_context() -> None:
    chunker = SentenceWithContextChunker(size=6, overlap=0, context_sentences=1)

    chunks = chunk_text(TEXT, chunker, no_embedder)

    # Each sentence is 5 or 6 words: one sentence per chunk; retrieval gets its neighbours.
    assert [c.embedded for c in chunks] == SENTENCES
    assert chunks[0].content == " ".join(SENTENCES[:2])
    assert chunks[1].content == " ".join(SENTENCES[:3])
    assert chunks[3].content == " ".join(SENTENCES[2:])


def test_the_sentence_chunker_repeats_overlap_sentences() -> None:
    chunker = SentenceWithContextChunker(size=12, overlap=1, context_sentences=1)

    chunks = chunk_text(TEXT, chunker, no_embedder)

    assert [c.embedded for c in chunks] == [
        " ".join(SENTENCES[0:2]),
        " ".join(SENTENCES[1:3]),
        " ".join(SENTENCES[2:4]),
    ]


def test_the_meaning_based_chunker_splits_where_the_topic_changes() -> None:
    chunker = MeaningBasedChunker(
        size=100, overlap=0, sentence_group_length=1, similarity_percent_threshold=50
    )

    chunks = chunk_text(TEXT, chunker, topic_embedder)

    assert [c.content for c in chunks] == [" ".join(SENTENCES[:2]), " ".join(SENTENCES[2:])]


def test_the_meaning_based_chunker_also_stops_at_its_size() -> None:
    chunker = MeaningBasedChunker(
        size=6, overlap=0, sentence_group_length=1, similarity_percent_threshold=0
    )

    chunks = chunk_text(TEXT, chunker, topic_embedder)

    assert [c.content for c in chunks] == SENTENCES


def test_a_text_without_words_has_no_chunks() -> None:
    assert chunk_text(" \n\t ", NormalChunker(), no_embedder) == []


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        (None, NormalChunker(size=DEFAULT_SIZE, overlap=DEFAULT_OVERLAP)),
        (NormalChunker(size=10), NormalChunker(size=10, overlap=9)),
        (
            SentenceWithContextChunker(),
            SentenceWithContextChunker(size=128, overlap=0, context_sentences=1),
        ),
        (
            MeaningBasedChunker(similiarity_percent_threshold=70),
            MeaningBasedChunker(
                size=128, overlap=0, sentence_group_length=2, similarity_percent_threshold=70
            ),
        ),
        (FileChunker(), FileChunker()),
    ],
)
def test_unset_settings_get_documented_defaults(given, expected) -> None:
    assert with_defaults(given) == expected
