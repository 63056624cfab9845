"""LangChain integration: ``GradientLLM`` and ``GradientEmbeddings`` on top of the SDK.

Install it with ``pip install "gradient-llm-sdk[langchain]"`` (it needs ``langchain-core`` only)::

    from gradient_sdk.langchain import GradientEmbeddings, GradientLLM

Both are drop-in replacements for the classes of the same names in langchain-community;
``docs/langchain.md`` lists what changed.
"""

try:
    import langchain_core  # noqa: F401  # pyright: ignore[reportUnusedImport]
except ImportError as error:  # pragma: no cover - depends on the installed extras
    raise ImportError(
        'gradient_sdk.langchain needs langchain-core: pip install "gradient-llm-sdk[langchain]"'
    ) from error

from .embeddings import GradientEmbeddings
from .llms import GradientLLM, TrainResult

__all__ = ["GradientEmbeddings", "GradientLLM", "TrainResult"]
