"""The README's demo: the whole flow against the emulator with the real models, offline.

Run it with ``nox -s demo`` (or ``HF_HUB_OFFLINE=1 python examples/demo.py`` where the
emulator extra and the model wheels are installed). It starts the emulator in this process
with the real SmolLM2-135M-Instruct and MiniLM models and a temporary data directory, then
does what a user of the hosted service would: list the base models, create an adapter, ask
it a question, fine-tune it once on the answer, and ask again; then build a RAG collection
from a file, ask a question of it, and use the blocks (summarize, sentiment, extract). It
exits with status 1 when the second answer does not name the Dallas Cowboys, or when a RAG
or block answer lacks what it must hold.
"""

from __future__ import annotations

import asyncio
import logging
import os
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from gradient_sdk import AsyncGradient, NormalChunker, Sentiment
from gradient_sdk.emulator import Emulator, serve

QUERY = "Question: What NFL team won the Super Bowl in 1994?\n\nAnswer: "
ANSWER = " The Dallas Cowboys!"
EXPECTED = "Dallas Cowboys"

HANDBOOK = """\
Every employee gets 25 days of paid holiday a year.
Unused holiday carries over until the end of March.
Expenses are paid back within ten working days of the claim.
The office is closed on public holidays and between Christmas and New Year.
"""
ARTICLE = (
    "The city council voted on Tuesday to build a new public library in the town centre. "
    "It will have a children's reading room and a cafe. Construction starts next spring."
)


class FineTuneLog(logging.Handler):
    """Keeps the loss after training from the emulator's log.

    The wire's fine-tune response carries ``sumLoss`` measured *before* the call's update, as
    the service's does. The emulator also measures the loss after the update but only logs
    it; reading it from the log shows the effect of this one call without a second
    ``fine_tune``, which would train the adapter further.
    """

    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.sum_loss_after: float | None = None

    def emit(self, record: logging.LogRecord) -> None:
        # The service logs (adapter id, trainable tokens, loss before, loss after).
        args = record.args
        if (
            isinstance(record.msg, str)
            and record.msg.startswith("fine-tuned adapter")
            and isinstance(args, tuple)
            and len(args) == 4
            and isinstance(args[3], float)
        ):
            self.sum_loss_after = args[3]


@contextmanager
def step(description: str) -> Iterator[None]:
    print(f"- {description} ...", end=" ", flush=True)
    started = time.perf_counter()
    yield
    print(f"({time.perf_counter() - started:.1f} s)", flush=True)


async def flow(client: AsyncGradient, fine_tune_log: FineTuneLog) -> tuple[str, str]:
    """The seed's flow; returns the answers before and after fine-tuning."""
    with step("listing base models"):
        base_models = await client.list_models(only_base=True)
    for model in base_models:
        print(f"    {model.slug}  {model.id}")
    base = base_models[-1]

    with step("creating an adapter"):
        adapter = await base.create_model_adapter(name="my_model_adapter")
    print(f"    {adapter.id}")

    print(f"Asking: {QUERY!r}")
    with step("completing before fine-tuning"):
        before = await adapter.complete(query=QUERY, max_generated_token_count=20, temperature=0)
    print(f"    answer: {before.generated_output!r}")

    with step(f"fine-tuning once on {ANSWER!r}"):
        tuned = await adapter.fine_tune(samples=[{"inputs": QUERY + ANSWER}])
    tokens = tuned.number_of_trainable_tokens
    print(f"    {tokens} trainable tokens")
    print(
        f"    loss before: {tuned.sum_loss / tokens:.3f} per token (sumLoss {tuned.sum_loss:.2f})"
    )
    if fine_tune_log.sum_loss_after is not None:
        after_loss = fine_tune_log.sum_loss_after
        print(f"    loss after:  {after_loss / tokens:.3f} per token (sum {after_loss:.2f})")

    with step("completing after fine-tuning"):
        after = await adapter.complete(query=QUERY, max_generated_token_count=20, temperature=0)
    print(f"    answer: {after.generated_output!r}")

    with step("deleting the adapter"):
        await adapter.delete()
    return before.generated_output, after.generated_output


async def rag_and_blocks(client: AsyncGradient, folder: Path) -> bool:
    """A collection from a file, a question of it, and three blocks; True when each answer
    holds what it must."""
    handbook = folder / "handbook.txt"
    handbook.write_text(HANDBOOK)
    with step("creating a RAG collection from handbook.txt"):
        collection = await client.create_rag_collection(
            name="handbook", slug="bge-large", filepaths=[handbook], chunker=NormalChunker()
        )
        await collection.wait_until_ready(timeout=300)
    print(f"    {collection.id}: {len(collection.files)} file(s) ingested")

    question = "How many days of paid holiday does an employee get?"
    with step(f"answering {question!r} from the collection"):
        answered = await client.answer(
            question=question, source={"type": "rag", "collection_id": collection.id}
        )
    print(f"    answer: {answered.answer!r}")
    passages = answered.rag_context.documents if answered.rag_context else ()
    print(f"    from {len(passages)} passage(s)")
    grounded = any("25 days" in passage.content for passage in passages)

    with step("summarizing an article"):
        summary = await client.summarize(document=ARTICLE, length="short")
    print(f"    summary: {summary.summary!r}")

    with step("analysing sentiment"):
        mood = await client.analyze_sentiment(
            document="The staff were lovely and breakfast was superb."
        )
    print(f"    sentiment: {mood.sentiment}")

    with step("extracting fields"):
        found = await client.extract(
            document="John Smith is 42 years old and lives in Boston.",
            schema_={
                "name": {"type": "string", "required": True},
                "age": {"type": "number", "required": True},
            },
        )
    print(f"    entity: {found.entity}")

    with step("deleting the collection"):
        await collection.delete()
    checks = {
        "the answer's passages hold the fact": grounded,
        "the summary is not empty": bool(summary.summary.strip()),
        "the sentiment is one of the API's": mood.sentiment in set(Sentiment),
        "the entity has its required fields": {"name", "age"} <= found.entity.keys(),
    }
    for check, passed in checks.items():
        if not passed:
            print(f"FAIL: {check}")
    return all(checks.values())


async def demo() -> bool:
    """Run the flow against an in-process emulator; True when the adapter learnt the answer."""
    service_log = logging.getLogger("gradient_sdk.emulator.services.models")
    fine_tune_log = FineTuneLog()
    service_log.addHandler(fine_tune_log)
    service_log.setLevel(logging.INFO)
    with tempfile.TemporaryDirectory(prefix="gradient-demo-") as data_dir:
        print(f"Starting the emulator with SmolLM2-135M-Instruct (data in {data_dir})")
        started = time.perf_counter()
        async with serve(Emulator(data_dir=data_dir)) as client:
            print(f"- emulator ready ({time.perf_counter() - started:.1f} s)")
            before, after = await flow(client, fine_tune_log)
            print()
            rag_and_blocks_passed = await rag_and_blocks(client, Path(data_dir))
    service_log.removeHandler(fine_tune_log)

    print()
    print(f"before: {before.strip()!r}")
    print(f"after:  {after.strip()!r}")
    learnt = EXPECTED in after
    print("The adapter learnt the answer." if learnt else f"FAIL: no {EXPECTED!r} in the answer.")
    return learnt and rag_and_blocks_passed


def main() -> int:
    # The emulator never downloads; this keeps the Hugging Face libraries from even trying.
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    started = time.perf_counter()
    learnt = asyncio.run(demo())
    print(f"Done in {time.perf_counter() - started:.1f} s.")
    return 0 if learnt else 1


if __name__ == "__main__":
    sys.exit(main())
