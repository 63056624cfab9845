"""``gradient fine-tune``: train an adapter on a JSONL file, with progress and resume."""

from __future__ import annotations

import shlex
from pathlib import Path

import click

from .exits import INTERRUPTED, BadInput
from .output import emit, fields, json_option, note, stderr
from .samples import SamplesFileError, read_samples
from .session import Session, pass_session
from .training import Outcome, plan_batches, train

#: Seconds one batch may take: training on a CPU is slow, and a batch that times out may
#: have been trained all the same, so it is better waited for than abandoned.
BATCH_TIMEOUT = 600.0


@click.command("fine-tune")
@click.argument("adapter_id")
@click.argument("data", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--batch-size",
    type=click.IntRange(min=1),
    default=8,
    show_default=True,
    help="Samples per fine-tune request.",
)
@click.option(
    "--epochs", type=click.IntRange(min=1), default=1, show_default=True, help="Passes over DATA."
)
@click.option(
    "--start-at",
    type=click.IntRange(min=0),
    default=0,
    show_default=True,
    help="Skip the run's first N samples, counted over all epochs (to resume a run).",
)
@json_option
@pass_session
def fine_tune(
    session: Session,
    adapter_id: str,
    data: Path,
    batch_size: int,
    epochs: int,
    start_at: int,
    as_json: bool,
) -> None:
    """Fine-tune an adapter on a JSONL file of samples, in batches.

    Trains the adapter ADAPTER_ID on DATA, --epochs times over, in file order. Each line
    of DATA is {"inputs": "text"} or {"inputs": [{"value": "text", "trainable": false},
    ...]}, with an optional "multiplier". The whole file is checked before anything is
    sent. Ctrl+C stops after the batch in flight and prints the command that resumes the
    run; no batch is ever sent twice.
    """
    try:
        samples = read_samples(data)
    except SamplesFileError as error:
        raise BadInput(str(error)) from None
    total = len(samples) * epochs
    if start_at > total:
        raise click.BadParameter(
            f"{start_at} is past the end: {len(samples)} samples x {epochs} epochs = {total}",
            param_hint="'--start-at'",
        )
    batches = plan_batches(len(samples), batch_size=batch_size, epochs=epochs, start_at=start_at)
    with session.client() as client:
        patient = client.with_options(timeout=BATCH_TIMEOUT)
        adapter = patient.get_model_adapter(model_adapter_id=adapter_id)
        outcome = train(adapter, samples, batches, epochs=epochs, console=stderr())

    resume = None
    if not outcome.finished:
        argv = [adapter_id, str(data), "--batch-size", str(batch_size), "--epochs", str(epochs)]
        argv += ["--start-at", str(outcome.next_position), *(["--json"] if as_json else [])]
        resume = shlex.join(["gradient", *session.replay, "fine-tune", *argv])
    _report(adapter_id, outcome, resume, as_json=as_json)
    if resume is not None:
        _explain_stop(outcome, resume, session)
    if outcome.error is not None:
        raise outcome.error
    if outcome.stopped:
        raise click.exceptions.Exit(INTERRUPTED)


def _report(adapter_id: str, outcome: Outcome, resume: str | None, *, as_json: bool) -> None:
    tally = outcome.tally
    document = {
        "adapter_id": adapter_id,
        "finished": outcome.finished,
        "batches": tally.batches,
        "samples": tally.samples,
        "trainable_tokens": tally.trainable_tokens,
        "first_loss": tally.first_loss,
        "last_loss": tally.last_loss,
        "next_start_at": outcome.next_position,
        "total": outcome.total,
        "resume_command": resume,
    }
    human = fields(
        [
            ("adapter", adapter_id),
            ("batches", tally.batches),
            ("samples", f"{tally.samples} trained, at {outcome.next_position} of {outcome.total}"),
            ("trainable tokens", tally.trainable_tokens),
            ("first loss", _loss(tally.first_loss)),
            ("last loss", _loss(tally.last_loss)),
        ]
    )
    emit(document, human, as_json=as_json)


def _loss(value: float | None) -> str:
    return "-" if value is None else f"{value:.4f}"


def _explain_stop(outcome: Outcome, resume: str, session: Session) -> None:
    why = "Ctrl+C" if outcome.error is None else "the error below"
    note(f"Stopped by {why} at sample {outcome.next_position} of {outcome.total}.")
    if outcome.uncertain is not None:
        batch = outcome.uncertain
        note(
            f"Samples {batch.start + 1} to {batch.end} of epoch {batch.epoch + 1} may or may "
            "not have been trained; resuming skips them, so no sample is trained twice."
        )
    note("Resume with:")
    click.echo(f"  {resume}", err=True)
    if session.token_on_command_line:
        note("(with your --access-token, which is never printed)")
