"""``GradientLLM``: a drop-in for langchain-community's class, on top of the SDK."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Iterator, Mapping, Sequence
from functools import partial
from typing import Any, TypedDict, cast

from langchain_core.callbacks import AsyncCallbackManagerForLLMRun, CallbackManagerForLLMRun
from langchain_core.language_models.base import LangSmithParams
from langchain_core.language_models.llms import BaseLLM
from langchain_core.outputs import Generation, GenerationChunk, LLMResult
from pydantic import ConfigDict, Field, model_validator
from typing_extensions import Self

from .._async import _backend as async_backend
from .._params import COMPLETE_OPTIONS, CompleteOptions, complete_request
from .._sync import _backend as sync_backend
from ..records import CompleteResponse, FineTuneResponse, Sample
from ._connection import GradientConnection

#: The completion settings ``model_kwargs`` and call keyword arguments may carry: the SDK's
#: own :class:`~gradient_sdk.CompleteOptions`.
COMPLETION_OPTIONS = COMPLETE_OPTIONS
#: LangChain's usual name for ``max_generated_token_count``, accepted as an alias.
MAX_TOKENS_ALIAS = "max_tokens"
#: What ``model_kwargs`` may hold: completion settings, default stop sequences, and the
#: default ``multipliers`` of training.
MODEL_KWARGS = COMPLETION_OPTIONS | {MAX_TOKENS_ALIAS, "stop", "multipliers"}
#: Completions one ``batch``/``abatch`` (or ``generate``) runs at once unless told otherwise.
DEFAULT_MAX_CONCURRENT_REQUESTS = 8


class TrainResult(TypedDict):
    """What a training step returns: the mean loss per trainable token."""

    loss: float


def _checked_keys(options: Mapping[str, Any], allowed: frozenset[str], what: str) -> dict[str, Any]:
    unknown = set(options) - allowed
    if unknown:
        raise TypeError(f"unexpected {what}: {sorted(unknown)}; allowed: {sorted(allowed)}")
    result = dict(options)
    if MAX_TOKENS_ALIAS in result:
        if "max_generated_token_count" in result:
            raise TypeError(f"{what}: give max_tokens or max_generated_token_count, not both")
        result["max_generated_token_count"] = result.pop(MAX_TOKENS_ALIAS)
    return result


def truncate_at_stop(text: str, stop: Sequence[str] | None) -> str:
    """``text`` up to the first occurrence of any stop sequence, matched literally."""
    sequences = [sequence for sequence in stop or () if sequence]
    if not sequences:
        return text
    pattern = "|".join(re.escape(sequence) for sequence in sequences)
    return re.split(pattern, text, maxsplit=1)[0]


def loss_per_token(response: FineTuneResponse) -> TrainResult:
    """``sum_loss / number_of_trainable_tokens``; 0.0 when the batch trained no token."""
    if response.number_of_trainable_tokens == 0:
        return TrainResult(loss=0.0)
    return TrainResult(loss=response.sum_loss / response.number_of_trainable_tokens)


class GradientLLM(GradientConnection, BaseLLM):
    """A Gradient base model or adapter as a LangChain text-completion LLM.

    A drop-in replacement for ``langchain_community.llms.GradientLLM``: the same fields,
    aliases and environment variables, sent through the SDK (typed errors, retries, pooled
    connections, real async)::

        from gradient_sdk.langchain import GradientLLM

        llm = GradientLLM(
            model="99148c6d-c2a0-4fbe-a4a7-e7c05bdb8a09_model_adapter",
            model_kwargs={"max_generated_token_count": 128, "temperature": 0.75},
        )
        llm.invoke("Question: Who won the Super Bowl in 1994?\\n\\nAnswer: ")

    ``model_kwargs`` (and keyword arguments of a call, which take precedence) may set
    ``max_generated_token_count`` (alias ``max_tokens``), ``temperature``, ``top_k``,
    ``top_p``, ``auto_template``, ``guidance`` and ``rag_collection_id``; ``model_kwargs``
    may also hold default ``stop`` sequences and training ``multipliers``.

    The LLM owns one sync and one async SDK client, made on first use. Close them with
    :meth:`close` / :meth:`aclose`, or use the LLM as a (async) context manager.
    """

    # Errors leave the input out: it holds the access token.
    model_config = ConfigDict(
        populate_by_name=True,
        extra="forbid",
        arbitrary_types_allowed=True,
        hide_input_in_errors=True,
    )

    model_id: str = Field(alias="model", min_length=2)
    """The base model or adapter to complete with (``model=`` works too)."""

    model_kwargs: dict[str, Any] | None = None
    """Default completion settings; see the class docstring for the keys."""

    max_concurrent_requests: int = Field(default=DEFAULT_MAX_CONCURRENT_REQUESTS, ge=1)
    """How many completions one ``batch``/``abatch`` (or ``generate``) runs at once."""

    @property
    def lc_secrets(self) -> dict[str, str]:
        """The access token is a secret, read from ``$GRADIENT_ACCESS_TOKEN``."""
        return {"gradient_access_token": "GRADIENT_ACCESS_TOKEN"}

    @model_validator(mode="after")
    def _check_model_kwargs(self) -> Self:
        # The SDK's request records carry the API's bounds; let them judge the defaults now.
        try:
            options = self._model_options()
            completion = {key: options[key] for key in COMPLETION_OPTIONS if key in options}
            complete_request("model_kwargs", cast("CompleteOptions", completion))
        except TypeError as error:
            raise ValueError(f"model_kwargs: {error}") from error
        stop = options.get("stop")
        if stop is not None and (
            isinstance(stop, str) or not all(isinstance(item, str) for item in stop)
        ):
            raise ValueError("model_kwargs: stop must be a list of strings")
        return self

    @property
    def _llm_type(self) -> str:
        return "gradient"

    @property
    def _identifying_params(self) -> Mapping[str, Any]:
        # The model id belongs here: the LLM cache keys on these, and two adapters must differ.
        return {
            "model_id": self.model_id,
            "gradient_api_url": self.gradient_api_url,
            "model_kwargs": self.model_kwargs or {},
        }

    def _get_ls_params(self, stop: list[str] | None = None, **kwargs: Any) -> LangSmithParams:
        params = super()._get_ls_params(stop=stop, **kwargs)
        params["ls_model_name"] = self.model_id
        options = self._model_options()
        for key, value in kwargs.items():
            options["max_generated_token_count" if key == MAX_TOKENS_ALIAS else key] = value
        max_tokens = options.get("max_generated_token_count")
        if isinstance(max_tokens, int):
            params["ls_max_tokens"] = max_tokens
        temperature = options.get("temperature")
        if isinstance(temperature, int | float):
            params["ls_temperature"] = temperature
        return params

    def _model_options(self) -> dict[str, Any]:
        return _checked_keys(self.model_kwargs or {}, MODEL_KWARGS, "model_kwargs")

    def _completion_options(self, call_kwargs: Mapping[str, Any]) -> dict[str, Any]:
        allowed = COMPLETION_OPTIONS | {MAX_TOKENS_ALIAS}
        defaults = {
            key: value for key, value in self._model_options().items() if key in COMPLETION_OPTIONS
        }
        return {**defaults, **_checked_keys(call_kwargs, allowed, "completion keyword argument")}

    def _stop(self, stop: list[str] | None) -> list[str] | None:
        if stop is not None:
            return stop
        default: list[str] | None = self._model_options().get("stop")
        return default

    def _generation(self, response: CompleteResponse, stop: list[str] | None) -> Generation:
        return Generation(
            text=truncate_at_stop(response.generated_output, self._stop(stop)),
            generation_info={"finish_reason": response.finish_reason},
        )

    def _complete(self, prompt: str, options: Mapping[str, Any]) -> CompleteResponse:
        client = self._sync_client()
        return client.models.complete(model_id=self.model_id, query=prompt, **options)

    async def _acomplete(self, prompt: str, options: Mapping[str, Any]) -> CompleteResponse:
        client = await self._async_client()
        return await client.models.complete(model_id=self.model_id, query=prompt, **options)

    def _generate(
        self,
        prompts: list[str],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> LLMResult:
        """Complete every prompt, up to ``max_concurrent_requests`` at once, in input order."""
        options = self._completion_options(kwargs)
        responses = sync_backend.gather_in_order(
            [partial(self._complete, prompt, options) for prompt in prompts],
            limit=self.max_concurrent_requests,
        )
        return LLMResult(generations=[[self._generation(r, stop)] for r in responses])

    async def _agenerate(
        self,
        prompts: list[str],
        stop: list[str] | None = None,
        run_manager: AsyncCallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> LLMResult:
        """Complete every prompt concurrently (at most ``max_concurrent_requests`` at once)."""
        options = self._completion_options(kwargs)
        responses = await async_backend.gather_in_order(
            [partial(self._acomplete, prompt, options) for prompt in prompts],
            limit=self.max_concurrent_requests,
        )
        return LLMResult(generations=[[self._generation(r, stop)] for r in responses])

    def _stream(
        self,
        prompt: str,
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> Iterator[GenerationChunk]:
        """One chunk with the whole completion: the API does not stream."""
        response = self._complete(prompt, self._completion_options(kwargs))
        generation = self._generation(response, stop)
        chunk = GenerationChunk(text=generation.text, generation_info=generation.generation_info)
        if run_manager is not None:
            run_manager.on_llm_new_token(chunk.text, chunk=chunk)
        yield chunk

    async def _astream(
        self,
        prompt: str,
        stop: list[str] | None = None,
        run_manager: AsyncCallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> AsyncIterator[GenerationChunk]:
        """One chunk with the whole completion: the API does not stream."""
        response = await self._acomplete(prompt, self._completion_options(kwargs))
        generation = self._generation(response, stop)
        chunk = GenerationChunk(text=generation.text, generation_info=generation.generation_info)
        if run_manager is not None:
            await run_manager.on_llm_new_token(chunk.text, chunk=chunk)
        yield chunk

    def _samples(self, inputs: Sequence[str], kwargs: Mapping[str, Any]) -> list[Sample]:
        unknown = set(kwargs) - {"multipliers"}
        if unknown:
            raise TypeError(f"unexpected training keyword argument(s): {sorted(unknown)}")
        if isinstance(inputs, str):
            raise TypeError("inputs must be a list of texts, not one string")
        multipliers = kwargs.get("multipliers", self._model_options().get("multipliers"))
        if multipliers is None:
            return [Sample(inputs=text) for text in inputs]
        multipliers = list(multipliers)
        if len(multipliers) != len(inputs):
            raise ValueError(
                f"got {len(inputs)} inputs but {len(multipliers)} multipliers; "
                "give one multiplier per input"
            )
        return [
            Sample(inputs=text, multiplier=multiplier)
            for text, multiplier in zip(inputs, multipliers, strict=True)
        ]

    def train_unsupervised(self, inputs: Sequence[str], **kwargs: Any) -> TrainResult:
        """Fine-tune the adapter one step on ``inputs``; returns the loss per trainable token.

        ``multipliers=[...]`` (one per input, or from ``model_kwargs``) weighs the samples.
        The next completion uses the updated adapter.
        """
        samples = self._samples(inputs, kwargs)
        client = self._sync_client()
        response = client.models.fine_tune(model_adapter_id=self.model_id, samples=samples)
        return loss_per_token(response)

    async def atrain_unsupervised(self, inputs: Sequence[str], **kwargs: Any) -> TrainResult:
        """The async twin of :meth:`train_unsupervised`."""
        samples = self._samples(inputs, kwargs)
        client = await self._async_client()
        response = await client.models.fine_tune(model_adapter_id=self.model_id, samples=samples)
        return loss_per_token(response)
