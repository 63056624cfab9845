"""Cutting a document's text into chunks, the way each of the API's four chunkers says.

Sizes count **words** (runs of non-space characters): the API never said what its units
were, and words keep a chunk within the embeddings model's window (all-MiniLM-L6-v2 reads
256 word pieces, about 190 English words) without tying chunking to one tokenizer. A chunk
is a span of the original text, so its spacing and line breaks are kept.

- ``fileChunker``: the whole text is one chunk.
- ``normalChunker``: windows of ``size`` words, each starting ``size - overlap`` words after
  the one before.
- ``sentenceWithContextChunker``: whole sentences, as many as fit in ``size`` words (a longer
  sentence stands alone); each chunk repeats the last ``overlap`` sentences of the one
  before; what retrieval returns is the chunk with ``context_sentences`` more sentences on
  either side, while the vector is the chunk's own.
- ``meaningBasedChunker``: groups of ``sentence_group_length`` sentences; a chunk ends where
  the cosine similarity of two neighbouring groups' embeddings falls below
  ``similarity_percent_threshold`` percent, or where the next group would pass ``size``
  words; ``overlap`` sentences are repeated as in the sentence chunker.

Sentences are split by a rule, documented in :func:`split_sentences`, rather than by a
library: the well-kept sentence splitters either need data downloaded at run time (NLTK's
punkt) or bring a whole NLP stack (spaCy); the rule is a few lines that tests pin down.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Sequence

import attrs

from ...records import (
    Chunker,
    FileChunker,
    MeaningBasedChunker,
    NormalChunker,
    SentenceWithContextChunker,
)

#: What a collection created without a chunker uses: word windows that fit the embedder.
DEFAULT_SIZE = 128
DEFAULT_OVERLAP = 16
DEFAULT_CONTEXT_SENTENCES = 1
DEFAULT_SENTENCE_GROUP_LENGTH = 2
DEFAULT_SIMILARITY_PERCENT_THRESHOLD = 50

#: Embeds texts into unit vectors, in order.
Embedder = Callable[[Sequence[str]], list[list[float]]]

_WORD = re.compile(r"\S+")
# A sentence ends at . ! or ? (and any closing quotes or brackets), before white space and
# the start of the next one: an upper-case letter, a digit, or an opening quote or bracket.
_SENTENCE_END = re.compile(r"""[.!?]+["'\u201d\u2019)\]]*(?=\s+["'\u201c\u2018(\[]?[A-Z0-9])""")
_PARAGRAPH_BREAK = re.compile(r"\n[ \t]*\n")
# Words whose full stop ends no sentence: titles, Latin and business abbreviations.
_ABBREVIATIONS = frozenset(
    {
        *("mr", "mrs", "ms", "dr", "prof", "sr", "jr", "st", "mt", "vs", "etc"),
        *("e.g", "i.e", "inc", "ltd", "co", "corp", "no", "fig", "approx"),
    }
)


@attrs.frozen
class Chunk:
    """One chunk: the text its vector is computed from, and what retrieval returns."""

    embedded: str
    content: str


def with_defaults(chunker: Chunker | None) -> Chunker:
    """The chunker with every setting filled in (a listing shows them all)."""
    if chunker is None:
        return NormalChunker(size=DEFAULT_SIZE, overlap=DEFAULT_OVERLAP)
    if isinstance(chunker, FileChunker):
        return chunker
    size = chunker.size if chunker.size is not None else DEFAULT_SIZE
    if isinstance(chunker, NormalChunker):
        overlap = chunker.overlap if chunker.overlap is not None else min(DEFAULT_OVERLAP, size - 1)
        return NormalChunker(size=size, overlap=overlap)
    overlap = chunker.overlap if chunker.overlap is not None else 0
    if isinstance(chunker, SentenceWithContextChunker):
        context = chunker.context_sentences
        return SentenceWithContextChunker(
            size=size,
            overlap=overlap,
            context_sentences=DEFAULT_CONTEXT_SENTENCES if context is None else context,
        )
    group = chunker.sentence_group_length
    threshold = chunker.similarity_percent_threshold
    return MeaningBasedChunker(
        size=size,
        overlap=overlap,
        sentence_group_length=DEFAULT_SENTENCE_GROUP_LENGTH if group is None else group,
        similarity_percent_threshold=(
            DEFAULT_SIMILARITY_PERCENT_THRESHOLD if threshold is None else threshold
        ),
    )


def chunk_text(text: str, chunker: Chunker, embed: Embedder) -> list[Chunk]:
    """The chunks of ``text`` (never empty for a text with a word in it)."""
    chunker = with_defaults(chunker)
    if not _WORD.search(text):
        return []
    if isinstance(chunker, FileChunker):
        whole = text.strip()
        return [Chunk(embedded=whole, content=whole)]
    assert chunker.size is not None
    assert chunker.overlap is not None
    if isinstance(chunker, NormalChunker):
        return word_windows(text, chunker.size, chunker.overlap)
    sentences = split_sentences(text)
    if isinstance(chunker, SentenceWithContextChunker):
        assert chunker.context_sentences is not None
        groups = _sentence_groups(sentences, chunker.size, chunker.overlap)
        return _with_context(sentences, groups, chunker.context_sentences)
    assert chunker.sentence_group_length is not None
    assert chunker.similarity_percent_threshold is not None
    groups = _meaning_groups(
        sentences,
        embed,
        size=chunker.size,
        overlap=chunker.overlap,
        group_length=chunker.sentence_group_length,
        threshold=chunker.similarity_percent_threshold / 100,
    )
    return _with_context(sentences, groups, 0)


def word_windows(text: str, size: int, overlap: int) -> list[Chunk]:
    """Windows of ``size`` words, each ``size - overlap`` words after the one before."""
    spans = [match.span() for match in _WORD.finditer(text)]
    step = max(1, size - overlap)
    chunks: list[Chunk] = []
    for start in range(0, len(spans), step):
        window = spans[start : start + size]
        piece = text[window[0][0] : window[-1][1]]
        chunks.append(Chunk(embedded=piece, content=piece))
        if start + size >= len(spans):
            break
    return chunks


def split_sentences(text: str) -> list[str]:
    """The sentences of ``text``, by a rule.

    A sentence ends at ``.``, ``!`` or ``?`` (with any closing quotes or brackets) when white
    space and an upper-case letter, a digit or an opening quote follow; except after a
    common abbreviation (``Mr.``, ``Dr.``, ``e.g.``, ``etc.``, ...) or a lone initial
    (``J. Smith``). A blank line always ends one. Sentences keep their own spacing.
    """
    sentences: list[str] = []
    for paragraph in _PARAGRAPH_BREAK.split(text):
        start = 0
        for end in _SENTENCE_END.finditer(paragraph):
            if _is_abbreviation(paragraph[start : end.start()]):
                continue
            sentences.append(paragraph[start : end.end()].strip())
            start = end.end()
        sentences.append(paragraph[start:].strip())
    return [sentence for sentence in sentences if _WORD.search(sentence)]


def _is_abbreviation(before: str) -> bool:
    words = before.split()
    last = words[-1].lower().rstrip(".") if words else ""
    return last in _ABBREVIATIONS or (len(last) == 1 and last.isalpha())


def _word_count(text: str) -> int:
    return len(_WORD.findall(text))


def _sentence_groups(sentences: list[str], size: int, overlap: int) -> list[range]:
    """Runs of whole sentences of at most ``size`` words; each repeats ``overlap`` of the
    sentences before it (never all of them, so every run moves on)."""
    groups: list[range] = []
    start = 0
    while start < len(sentences):
        end, words = start, 0
        while end < len(sentences) and (
            end == start or words + _word_count(sentences[end]) <= size
        ):
            words += _word_count(sentences[end])
            end += 1
        groups.append(range(start, end))
        if end == len(sentences):
            break
        start = max(start + 1, end - overlap)
    return groups


def _meaning_groups(
    sentences: list[str],
    embed: Embedder,
    *,
    size: int,
    overlap: int,
    group_length: int,
    threshold: float,
) -> list[range]:
    """Runs of sentence groups, cut where neighbouring groups stop being alike."""
    groups = [
        range(start, min(start + group_length, len(sentences)))
        for start in range(0, len(sentences), group_length)
    ]
    vectors = embed([" ".join(sentences[i] for i in group) for group in groups])
    runs: list[range] = []
    current = groups[0]
    for index in range(1, len(groups)):
        alike = _cosine(vectors[index - 1], vectors[index]) >= threshold
        longer = range(current.start, groups[index].stop)
        if alike and sum(_word_count(sentences[i]) for i in longer) <= size:
            current = longer
            continue
        runs.append(current)
        start = max(current.start + 1, groups[index].start - overlap)
        current = range(start, groups[index].stop)
    runs.append(current)
    return runs


def _with_context(sentences: list[str], groups: list[range], context: int) -> list[Chunk]:
    chunks: list[Chunk] = []
    for group in groups:
        core = " ".join(sentences[i] for i in group)
        window = range(max(0, group.start - context), min(len(sentences), group.stop + context))
        chunks.append(Chunk(embedded=core, content=" ".join(sentences[i] for i in window)))
    return chunks


def _cosine(left: Sequence[float], right: Sequence[float]) -> float:
    dot = math.fsum(a * b for a, b in zip(left, right, strict=True))
    norms = math.sqrt(math.fsum(a * a for a in left)) * math.sqrt(math.fsum(b * b for b in right))
    return dot / norms if norms else 0.0
