# torch, tokenizers and outlines-core ship few annotations: their values are Unknown to pyright.
# pyright: reportUnknownMemberType=false, reportUnknownVariableType=false
# pyright: reportUnknownArgumentType=false, reportMissingTypeStubs=false
"""Constrained decoding: completions that always satisfy an :data:`OutputConstraint`.

A constraint becomes a regular expression (a choice is an alternation of its values; a JSON
object spells its keys in order, see :func:`_object_regex`), and outlines-core compiles it
over the tokenizer's vocabulary into an automaton whose transitions are *tokens*: from each
state, the tokens that keep the text a prefix of some match, and where each leads. The
engine's own decode loop asks a :class:`ConstrainedDecoding` at each step which tokens may
come next, masks every other one out of the logits, and picks among the rest as usual
(greedy, or sampled), so the model still chooses, among valid texts only.

The token budget is part of the guarantee: each state knows the fewest tokens that finish a
match from it, and a token is allowed only if a match can still be finished in the tokens
left after it. So even a model that outputs noise ends inside its budget with a valid text;
the budget is raised to the fewest tokens any match needs when it is below that.
"""

from __future__ import annotations

import collections
import json
import threading
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import attrs
import torch
from outlines_core import Index, Vocabulary

from .base import ChoiceConstraint, ConstraintError, JsonField, OutputConstraint

#: Compiled constraints kept per engine: a sentiment or a schema asked again is not rebuilt.
AUTOMATON_CACHE_SIZE = 32
_UNREACHABLE = 1 << 30
# Between the tokens of a JSON object: at most one space, so a noisy model cannot spend its
# budget on white space.
_WHITESPACE = "[ ]?"
#: The values of a JSON object's fields, by type. A number has at most 15 digits before the
#: point and 6 after, and no exponent: a noisy model could otherwise spell ``1e999``
#: (infinity, which JSON cannot carry) or hundreds of digits. A string is JSON's, without
#: ``\u`` escapes (a lone surrogate could not be decoded).
_VALUE: Mapping[str, str] = {
    "string": r'"([^"\\\x00-\x1F\x7F-\x9F]|\\["\\/bfnrt])*"',
    "number": r"(-?(0|[1-9][0-9]{0,14})(\.[0-9]{1,6})?)",
    "boolean": "(true|false)",
}


def constraint_regex(constraint: OutputConstraint) -> str:
    """The regular expression (outlines-core's syntax) of the texts that satisfy it."""
    if isinstance(constraint, ChoiceConstraint):
        return "(" + "|".join(_literal(choice) for choice in constraint.choices) + ")"
    return _object_regex(constraint.fields)


def _object_regex(fields: Sequence[JsonField]) -> str:
    """One JSON object of these fields in order, the required ones always there.

    Only the members before the first required one need care: any ordered choice of them
    may come first, joined by commas. That choice is built left to right, each field either
    going on from a choice before it or starting one, ``(C(,M)?|M)``, so the expression
    (and outlines-core's automaton) grows linearly with the fields, where listing each
    possible first member would copy the rest for each. After the first required member,
    each field is one more ``,M``, or ``(,M)?`` when optional.
    """
    members = [_member(field) for field in fields]
    separator = f"{_WHITESPACE},{_WHITESPACE}"
    first_required = next((n for n, field in enumerate(fields) if field.required), len(fields))
    choice: str | None = None
    for member in members[:first_required]:
        choice = member if choice is None else f"({choice}({separator}{member})?|{member})"
    if first_required == len(fields):
        head = "" if choice is None else f"({choice})?"
    else:
        lead = "" if choice is None else f"({choice}{separator})?"
        head = lead + members[first_required]
    tail = "".join(
        f"{separator}{member}" if field.required else f"({separator}{member})?"
        for field, member in zip(
            fields[first_required + 1 :], members[first_required + 1 :], strict=True
        )
    )
    return rf"\{{{_WHITESPACE}{head}{tail}{_WHITESPACE}\}}"


def _member(field: JsonField) -> str:
    key = _literal(json.dumps(field.name, ensure_ascii=False))
    return f"{key}{_WHITESPACE}:{_WHITESPACE}{_VALUE[field.type]}"


def _literal(text: str) -> str:
    # Every character spelled as a code point: nothing in the text is regex syntax.
    return "".join(f"\\x{{{ord(character):X}}}" for character in text)


def token_bytes(tokenizer: Any) -> dict[int, bytes]:
    """The bytes each ordinary token stands for (special tokens are left out).

    Byte-level BPE tokenizers (GPT-2's, SmolLM2's, the tiny model's) spell bytes as printable
    characters, which are mapped back; SentencePiece-style ones spell a space as ``▁`` and
    raw bytes as ``<0xHH>``; tokens the tokenizer added as text stand for that text.
    """
    special = set(tokenizer.all_special_ids)
    added = {
        int(token_id): str(token.content)
        for token_id, token in tokenizer.added_tokens_decoder.items()
        if not token.special
    }
    special |= {int(token_id) for token_id in tokenizer.added_tokens_decoder} - set(added)
    spell = _byte_level_spelling if _is_byte_level(tokenizer) else _sentencepiece_spelling
    table: dict[int, bytes] = {}
    for token, token_id in tokenizer.get_vocab().items():
        if token_id in special:
            continue
        value = added[token_id].encode() if token_id in added else spell(token)
        if value:
            table[int(token_id)] = value
    return table


def _is_byte_level(tokenizer: Any) -> bool:
    backend = getattr(tokenizer, "backend_tokenizer", None)
    if backend is None:
        return False
    decoder = json.loads(backend.to_str()).get("decoder") or {}
    parts = decoder.get("decoders", [decoder]) if decoder.get("type") == "Sequence" else [decoder]
    return any(part.get("type") == "ByteLevel" for part in parts)


def _gpt2_byte_table() -> dict[str, int]:
    """GPT-2's printable spelling of each byte, reversed: character -> byte."""
    printable = [
        *range(ord("!"), ord("~") + 1),
        *range(ord("¡"), ord("¬") + 1),
        *range(ord("®"), ord("ÿ") + 1),
    ]
    spelled = list(printable)
    extra = 0
    for byte in range(256):
        if byte not in printable:
            printable.append(byte)
            spelled.append(256 + extra)
            extra += 1
    return {chr(code): byte for byte, code in zip(printable, spelled, strict=True)}


_GPT2_BYTES = _gpt2_byte_table()


def _byte_level_spelling(token: str) -> bytes:
    try:
        return bytes(_GPT2_BYTES[character] for character in token)
    except KeyError:
        return token.encode()


def _sentencepiece_spelling(token: str) -> bytes:
    if len(token) == 6 and token.startswith("<0x") and token.endswith(">"):
        return bytes([int(token[3:5], 16)])
    return token.replace("\u2581", " ").encode()


@attrs.frozen
class _StateMoves:
    """The tokens allowed from one state, and for each the fewest tokens that finish a
    match after it."""

    tokens: torch.Tensor  # (n,) token ids
    distances: torch.Tensor  # (n,) fewest tokens to finish after that token


class TokenAutomaton:
    """A constraint compiled over one vocabulary: its states, their token moves, and how
    far each state is from the end of a match."""

    def __init__(self, index: Any, stop_ids: frozenset[int]) -> None:
        self.initial_state = int(index.get_initial_state())
        self.final_states = frozenset(int(state) for state in index.get_final_states())
        transitions: dict[int, dict[int, int]] = {
            int(state): {
                int(token): int(target)
                for token, target in moves.items()
                if int(token) not in stop_ids
            }
            for state, moves in index.get_transitions().items()
        }
        self._transitions = transitions
        self.distance = _distances_to_final(transitions, self.final_states)
        if self.distance.get(self.initial_state, _UNREACHABLE) >= _UNREACHABLE:
            raise ConstraintError("no sequence of this model's tokens satisfies the constraint")
        self._moves: dict[int, _StateMoves] = {}
        self._lock = threading.Lock()

    @property
    def fewest_tokens(self) -> int:
        """The fewest tokens any satisfying text takes."""
        return self.distance[self.initial_state]

    def moves(self, state: int) -> _StateMoves:
        """The moves from ``state``, built on first use (a state of a JSON string allows
        most of the vocabulary)."""
        with self._lock:
            found = self._moves.get(state)
            if found is None:
                moves = self._transitions.get(state, {})
                reachable = [
                    (token, target)
                    for token, target in moves.items()
                    if self.distance.get(target, _UNREACHABLE) < _UNREACHABLE
                ]
                found = _StateMoves(
                    tokens=torch.tensor([token for token, _ in reachable], dtype=torch.long),
                    distances=torch.tensor(
                        [self.distance[target] for _, target in reachable], dtype=torch.long
                    ),
                )
                self._moves[state] = found
            return found

    def next_state(self, state: int, token: int) -> int:
        """Where ``token`` leads from ``state`` (it must be one of the state's moves)."""
        return self._transitions[state][token]


def _distances_to_final(
    transitions: Mapping[int, Mapping[int, int]], final_states: Iterable[int]
) -> dict[int, int]:
    """The fewest tokens from each state to a final one (breadth-first, backwards)."""
    incoming: dict[int, set[int]] = collections.defaultdict(set)
    for state, moves in transitions.items():
        for target in moves.values():
            incoming[target].add(state)
    distance = dict.fromkeys(final_states, 0)
    queue = collections.deque(distance)
    while queue:
        state = queue.popleft()
        for source in incoming.get(state, ()):
            if source not in distance:
                distance[source] = distance[state] + 1
                queue.append(source)
    return distance


class ConstrainedDecoding:
    """One constrained completion in progress: the state it is in, and what may come next."""

    def __init__(self, automaton: TokenAutomaton, stop_ids: frozenset[int]) -> None:
        self._automaton = automaton
        self._stop_ids = torch.tensor(sorted(stop_ids), dtype=torch.long)
        self.state = automaton.initial_state

    @property
    def fewest_tokens(self) -> int:
        """The fewest tokens any satisfying text takes."""
        return self._automaton.fewest_tokens

    @property
    def is_final(self) -> bool:
        """Whether the text so far satisfies the constraint (stopping here is allowed)."""
        return self.state in self._automaton.final_states

    def can_continue(self, tokens_left: int) -> bool:
        """Whether any token may still be added with ``tokens_left`` in the budget."""
        if tokens_left < 1:
            return False
        moves = self._automaton.moves(self.state)
        return bool((moves.distances <= tokens_left - 1).any())

    def allowed(self, tokens_left: int) -> torch.Tensor:
        """The ids that may come next, with ``tokens_left`` tokens in the budget (this one
        included): a stop token only where the text is complete."""
        moves = self._automaton.moves(self.state)
        allowed = moves.tokens[moves.distances <= tokens_left - 1]
        if self.is_final:
            allowed = torch.cat([allowed, self._stop_ids])
        return allowed

    def advance(self, token: int) -> None:
        """Take ``token`` (one of :meth:`allowed`, not a stop token)."""
        self.state = self._automaton.next_state(self.state, token)


def masked(logits: torch.Tensor, allowed: torch.Tensor) -> torch.Tensor:
    """``logits`` with every id outside ``allowed`` sent to -inf."""
    result = torch.full_like(logits, -torch.inf)
    result[allowed] = logits[allowed]
    return result


class Constraints:
    """Compiles constraints over one tokenizer's vocabulary, keeping the recent ones."""

    def __init__(self, tokenizer: Any, *, end_id: int, stop_ids: frozenset[int]) -> None:
        self.token_bytes = token_bytes(tokenizer)
        self._end_id = end_id
        self._stop_ids = stop_ids
        self._vocabulary: Any = None
        self._lock = threading.Lock()
        self._compiled: collections.OrderedDict[str, TokenAutomaton] = collections.OrderedDict()

    def start(self, constraint: OutputConstraint) -> ConstrainedDecoding:
        """A fresh decoding of ``constraint``."""
        return ConstrainedDecoding(self.compile(constraint), self._stop_ids)

    def compile(self, constraint: OutputConstraint) -> TokenAutomaton:
        """The automaton of ``constraint``, compiled once while it stays in the cache."""
        regex = constraint_regex(constraint)
        with self._lock:
            automaton = self._compiled.get(regex)
            if automaton is not None:
                self._compiled.move_to_end(regex)
                return automaton
            if self._vocabulary is None:
                self._vocabulary = self._build_vocabulary()
            vocabulary = self._vocabulary
        try:
            index = Index(regex, vocabulary)
        except (ValueError, RuntimeError) as error:  # outlines-core raises ValueError
            raise ConstraintError(f"cannot compile the constraint: {error}") from error
        automaton = TokenAutomaton(index, self._stop_ids)
        with self._lock:
            self._compiled[regex] = automaton
            while len(self._compiled) > AUTOMATON_CACHE_SIZE:
                self._compiled.popitem(last=False)
        return automaton

    def text(self, tokens: Iterable[int]) -> str:
        """The text of tokens a constrained decoding produced: their bytes, exactly."""
        return b"".join(self.token_bytes[token] for token in tokens).decode("utf-8")

    def _build_vocabulary(self) -> Any:
        by_bytes: dict[bytes, list[int]] = collections.defaultdict(list)
        for token_id, value in self.token_bytes.items():
            if token_id not in self._stop_ids:
                by_bytes[value].append(token_id)
        return Vocabulary(self._end_id, dict(by_bytes))
