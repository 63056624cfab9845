"""``gradient demo``: the seed flow against an emulator in this process, before and after."""

from __future__ import annotations

import contextlib
import tempfile
import time
from collections.abc import Generator

import click
from rich.console import Console

from .exits import Failure
from .output import emit, fields, json_option, stderr

QUERY = "Question: What NFL team won the Super Bowl in 1994?\n\nAnswer: "
ANSWER = " The Dallas Cowboys!"
#: Seconds a request may take: the first one waits for the model to load.
REQUEST_TIMEOUT = 600.0


@click.command()
@click.option(
    "--model",
    metavar="MODEL",
    default="smollm2",
    show_default=True,
    help="The emulator's text model: smollm2 (the real one) or tiny (random, quick).",
)
@json_option
def demo(model: str, as_json: bool) -> None:
    """Teach a model one fact with one fine-tune call, all local.

    Starts the emulator in this process with a temporary data directory, then lists the
    base models, creates an adapter, asks it a question, fine-tunes it once on the answer,
    asks again and deletes the adapter. Needs the emulator extra; nothing is downloaded.
    """
    try:
        from ..emulator import Emulator, serve_http
    except ImportError as error:
        missing = error.name or "a dependency"
        raise Failure(
            f'gradient demo needs {missing}: pip install "gradient-llm-sdk[emulator]"'
        ) from None

    console = stderr()
    with tempfile.TemporaryDirectory(prefix="gradient-demo-") as data_dir:
        settings = Emulator(data_dir=data_dir, model=model, embeddings_model="hashing")
        with (
            _step(console, f"starting the emulator ({model})"),
            serve_http(settings) as server,
            server.client(timeout=REQUEST_TIMEOUT) as client,
        ):
            with _step(console, "listing base models (the first call waits for the model)"):
                base = client.list_models(only_base=True)[-1]
            with _step(console, f"creating an adapter of {base.slug}"):
                adapter = base.create_model_adapter(name="gradient-demo")
            with _step(console, "asking before fine-tuning"):
                before = adapter.complete(query=QUERY, max_generated_token_count=20, temperature=0)
            with _step(console, f"fine-tuning once on {ANSWER.strip()!r}"):
                tuned = adapter.fine_tune(samples=[{"inputs": QUERY + ANSWER}])
            with _step(console, "asking after fine-tuning"):
                after = adapter.complete(query=QUERY, max_generated_token_count=20, temperature=0)
            adapter.delete()

    learnt = "Dallas Cowboys" in after.generated_output
    document = {
        "base_model": base.slug,
        "adapter_id": adapter.id,
        "query": QUERY,
        "taught": ANSWER,
        "before": before.generated_output,
        "after": after.generated_output,
        "trainable_tokens": tuned.number_of_trainable_tokens,
        "sum_loss": tuned.sum_loss,
        "learnt": learnt,
    }
    human = fields(
        [
            ("asked", QUERY.strip().replace("\n\n", " ")),
            ("taught", ANSWER.strip()),
            ("before", before.generated_output.strip()),
            ("after", after.generated_output.strip()),
            ("learnt", "yes" if learnt else "no"),
        ]
    )
    emit(document, human, as_json=as_json)


@contextlib.contextmanager
def _step(console: Console, description: str) -> Generator[None, None, None]:
    started = time.perf_counter()
    with console.status(description + " ..."):
        yield
    console.print(f"- {description} ({time.perf_counter() - started:.1f} s)")
