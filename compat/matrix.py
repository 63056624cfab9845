"""THE compatibility matrix: which foreign client methods work against the emulator, and why not.

Two tables decide every expectation:

- :data:`ENDPOINTS`, the 22 endpoints of the Gradient API and whether the emulator serves
  them. An endpoint it does not serve answers 501 ``{"message": "... not implemented ..."}``.
  **When the emulator gains an endpoint, flip it here** (``False`` -> ``True``): every row
  below that calls it then expects its own outcome instead of that 501.
- :data:`CLIENTS`, one entry per client, with one :class:`Row` per method the client script
  checks. A row's outcome is what happens once all of its endpoints are served: it works, or
  fails in exactly one recorded way (a bug of that client, a documented limit of the
  emulator, or an emulator bug waiting for a fix), asserted by exception class, a pattern of
  its message and, where the client carries it, the HTTP status.

``compat/run.py`` runs each client's script against the emulator and fails when any result
differs from its row, in either direction: a row that starts to work must be flipped too.
It also renders ``docs/compatibility.md`` from these tables; after an edit here, run
``python3 compat/run.py --docs`` (CI fails on a stale file). Standard library only: the
runner imports this module from the emulator's environment, and the rendering needs nothing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

#: The Gradient API's endpoints (spec section 2) -> does the emulator serve them yet?
ENDPOINTS: dict[str, bool] = {
    "GET /models": True,
    "GET /models/{id}": True,
    "POST /models": True,
    "DELETE /models/{id}": True,
    "POST /models/{id}/complete": True,
    "POST /models/{id}/fine-tune": True,
    "GET /embeddings": True,
    "POST /embeddings/{slug}": True,
    "POST /files": True,
    "POST /rag-collections": True,
    "GET /rag-collections": True,
    "GET /rag-collections/{id}": True,
    "POST /rag-collections/{id}/files": True,
    "DELETE /rag-collections/{id}": True,
    "POST /blocks/answer": True,
    "POST /blocks/summarize": True,
    "POST /blocks/analyze-sentiment": True,
    "POST /blocks/personalize": True,
    "POST /blocks/extract": True,
    "POST /blocks/extract-pdf": True,
    "POST /blocks/transcription": True,
    "GET /blocks/transcription": True,
}

#: Outcome kinds, as the docs show them.
WORKS_KIND = "works"
CLIENT_BUG = "client bug"
CLIENT_LIMITATION = "client limitation"
EMULATOR_LIMITATION = "emulator limitation"
EMULATOR_BUG = "emulator bug"
NOT_IMPLEMENTED = "not implemented"


@dataclass(frozen=True)
class Outcome:
    """What a check does: works, or fails with this exception, message and HTTP status."""

    kind: str = WORKS_KIND
    reason: str = ""
    #: The exception's class name (``StopIteration``, ``ServiceException``).
    error: str = ""
    #: A regular expression searched (case-insensitively) in the message and HTTP body.
    match: str = ""
    #: The HTTP status the exception carries, where the client keeps one.
    status: int | None = None

    @property
    def works(self) -> bool:
        return self.kind == WORKS_KIND

    def mismatch(self, result: dict[str, object]) -> str | None:
        """Why ``result`` (a line from a client script) is not this outcome; None if it is."""
        if result.get("outcome") == "works":
            return None if self.works else f"it works now; expected {self.describe()}"
        message = str(result.get("message") or "").strip().splitlines() or [""]
        seen = f"{result.get('error_type')}: {message[0][:200]}"
        if result.get("status") is not None:
            seen += f" (HTTP {result.get('status')}: {str(result.get('body'))[:200]})"
        if self.works:
            return f"expected it to work, got {seen}"
        if result.get("error_type") != self.error:
            return f"expected {self.describe()}, got {seen}"
        if self.status is not None and result.get("status") != self.status:
            return f"expected HTTP {self.status}, got {result.get('status')} ({seen})"
        text = f"{result.get('message')}\n{result.get('body') or ''}"
        if not re.search(self.match, text, re.IGNORECASE | re.DOTALL):
            return f"expected a message matching {self.match!r}, got {seen}"
        return None

    def describe(self) -> str:
        if self.works:
            return "works"
        status = f", HTTP {self.status}" if self.status is not None else ""
        return f"{self.error}{status} matching {self.match!r} ({self.kind}: {self.reason})"


WORKS = Outcome()


def client_bug(reason: str, *, error: str, match: str, status: int | None = None) -> Outcome:
    """A bug of the client itself: it fails against any server, the hosted one included."""
    return Outcome(CLIENT_BUG, reason, error, match, status)


def client_limitation(reason: str, *, error: str, match: str) -> Outcome:
    """Something the client does not offer (no streaming, a removed import)."""
    return Outcome(CLIENT_LIMITATION, reason, error, match)


def emulator_limitation(reason: str, *, error: str, match: str, status: int) -> Outcome:
    """A documented difference of the emulator from the hosted service (docs/emulator.md)."""
    return Outcome(EMULATOR_LIMITATION, reason, error, match, status)


def emulator_bug(reason: str, *, error: str, match: str, status: int | None = None) -> Outcome:
    """An emulator bug that breaks the client; reported to be fixed, then flipped to WORKS."""
    return Outcome(EMULATOR_BUG, f"emulator bug: {reason}", error, match, status)


@dataclass(frozen=True)
class Row:
    """One method of one client, as its script names the check."""

    check: str
    #: The endpoints it calls, in order; the first one not served decides the 501.
    endpoints: tuple[str, ...]
    #: What it does once every endpoint in ``endpoints`` is served.
    outcome: Outcome = WORKS
    #: ``breadth`` runs on the tiny random model, ``seed`` on SmolLM2.
    scenario: str = "breadth"

    def __post_init__(self) -> None:
        unknown = [e for e in self.endpoints if e not in ENDPOINTS]
        if unknown:
            raise ValueError(f"{self.check}: unknown endpoints {unknown}")

    def unserved(self) -> str | None:
        """The first endpoint the emulator does not serve yet, if any."""
        return next((e for e in self.endpoints if not ENDPOINTS[e]), None)


@dataclass(frozen=True)
class Client:
    """A foreign client: its environment, how its script runs, and its rows."""

    name: str
    title: str
    #: The pinned packages, relative to the repository root (requirements file or package.json).
    requirements: str
    #: The command that runs the script; ``{python}`` is the client's environment.
    command: tuple[str, ...]
    #: The exception class name this client raises for an HTTP 501 answer.
    error_501: str
    rows: tuple[Row, ...] = field(default_factory=tuple)
    #: Markdown shown above the client's table in the docs.
    notes: str = ""

    def expected(self, row: Row) -> Outcome:
        """The outcome ``row`` must have today, given :data:`ENDPOINTS`."""
        endpoint = row.unserved()
        if endpoint is None:
            return row.outcome
        return Outcome(
            NOT_IMPLEMENTED,
            f"the emulator answers 501 for {endpoint}",
            self.error_501,
            r"not.implement",
            501,
        )

    def scenarios(self) -> list[str]:
        return list(dict.fromkeys(row.scenario for row in self.rows))


#: How the emulator is started for each scenario (after ``python -m gradient_sdk.emulator``).
SCENARIOS: dict[str, tuple[str, ...]] = {
    # The random two-layer text and speech models and the hashing embedder: every method,
    # in seconds.
    "breadth": ("--model", "tiny", "--embeddings-model", "hashing", "--speech-model", "tiny"),
    # The real model, loaded once, for the flows whose answers must make sense.
    "seed": ("--model", "smollm2", "--embeddings-model", "hashing"),
}

_M = "GET /models"
_MODEL = "GET /models/{id}"
_CREATE = "POST /models"
_DELETE = "DELETE /models/{id}"
_COMPLETE = "POST /models/{id}/complete"
_FINE_TUNE = "POST /models/{id}/fine-tune"
_EMB = "GET /embeddings"
_EMBED = "POST /embeddings/{slug}"
_FILES = "POST /files"
_RAG_CREATE = "POST /rag-collections"
_RAG_LIST = "GET /rag-collections"
_RAG_GET = "GET /rag-collections/{id}"
_RAG_ADD = "POST /rag-collections/{id}/files"
_RAG_DELETE = "DELETE /rag-collections/{id}"

_STOP_ITERATION_SLUG = (
    "lookups by slug call next() on a filter and leak a bare StopIteration when nothing "
    "matches (spec section 4, quirk 5)"
)
#: Choice guidance: constrained decoding makes every model honour it.
_GUIDANCE = WORKS

GRADIENTAI = Client(
    name="gradientai",
    title="gradientai 1.13.1 (official Python SDK)",
    requirements="compat/requirements/gradientai.txt",
    command=("{python}", "compat/clients/gradientai_checks.py"),
    error_501="ServiceException",
    notes=(
        "Every public method of the final release, sync and `acomplete` / `aembed`. It sends "
        "explicit nulls, `onlyBase=True` capitalised and `capability=any`, and insists on "
        "50-character model ids and `bge-large` as the only embeddings slug. The seed flow is "
        "the README's: `list_models(only_base=True)`, `create_model_adapter`, `complete`, one "
        "`fine_tune` on the answer, `complete` again (which must now name the Dallas Cowboys), "
        "`delete`."
    ),
    rows=(
        Row("Gradient() from GRADIENT_* variables, workspace_id", ()),
        Row("Gradient.list_models(only_base=True)", (_M,)),
        Row("Gradient.list_models(only_base=True, capability=COMPLETE / FINE_TUNE)", (_M,)),
        Row("Gradient.get_base_model(base_model_slug=)", (_M,)),
        Row(
            "Gradient.get_base_model(base_model_slug=) for an unknown slug",
            (_M,),
            client_bug(_STOP_ITERATION_SLUG, error="StopIteration", match="^$"),
        ),
        Row("BaseModel.create_model_adapter(name=, rank=, learning_rate=)", (_CREATE,)),
        Row("BaseModel.create_model_adapter(name=) with null hyperparameters", (_CREATE,)),
        Row("Gradient.list_models() lists base model and adapters", (_M,)),
        Row("Gradient.get_model_adapter(model_adapter_id=)", (_MODEL,)),
        Row("BaseModel.complete(query=, max_generated_token_count=)", (_COMPLETE,)),
        Row("ModelAdapter.complete(auto_template=, temperature=, top_k=, top_p=)", (_COMPLETE,)),
        Row("Model.acomplete(...)", (_COMPLETE,)),
        Row("Model.complete(guidance=choice)", (_COMPLETE,), _GUIDANCE),
        Row("ModelAdapter.fine_tune(samples=) with plain samples", (_FINE_TUNE,)),
        Row(
            "ModelAdapter.fine_tune(samples=) with structured inputs and multiplier",
            (_FINE_TUNE,),
        ),
        Row(
            "ModelAdapter.delete(), then get_model_adapter raises NotFoundException",
            (_DELETE, _MODEL, _M),
        ),
        Row("Gradient(access_token=<wrong>) raises UnauthorizedException", (_M,)),
        Row("Gradient.list_embeddings_models()", (_EMB,)),
        Row("Gradient.get_embeddings_model(slug='bge-large')", (_EMB,)),
        Row(
            "Gradient.get_embeddings_model(slug=) for an unknown slug",
            (_EMB,),
            client_bug(_STOP_ITERATION_SLUG, error="StopIteration", match="^$"),
        ),
        Row("EmbeddingsModel.generate_embeddings(inputs=)", (_EMBED,)),
        Row("EmbeddingsModel.embed(inputs=) with 300 inputs (two requests)", (_EMBED,)),
        Row("EmbeddingsModel.aembed(inputs=)", (_EMBED,)),
        Row("Gradient.answer(source={'type': 'document', ...})", ("POST /blocks/answer",)),
        Row(
            "Gradient.answer(source={'type': 'rag', 'collection_id': ...}) as typed",
            (),
            client_bug(
                "the AnswerParamsSource TypedDict says collection_id, but the request model "
                "reads the wire key collectionId, so the typed call fails before any request "
                "(spec section 4, quirk 3)",
                error="ValueError",
                match=r"collectionId\s+none is not an allowed value",
            ),
        ),
        Row(
            "Gradient.answer(source={'type': 'rag', 'collectionId': ...})",
            (_RAG_CREATE, _RAG_GET, "POST /blocks/answer", _RAG_DELETE),
        ),
        Row("Gradient.summarize(document=, examples=, length=)", ("POST /blocks/summarize",)),
        Row(
            "Gradient.analyze_sentiment(document=, examples=)",
            ("POST /blocks/analyze-sentiment",),
        ),
        Row(
            "Gradient.personalize(document=, audience_description=)",
            ("POST /blocks/personalize",),
        ),
        Row("Gradient.extract(document=, schema_=)", ("POST /blocks/extract",)),
        Row("Gradient.extract_pdf(filepath=)", ("POST /blocks/extract-pdf",)),
        Row(
            "Gradient.transcribe_audio(filepath=)",
            (_FILES, "POST /blocks/transcription", "GET /blocks/transcription"),
        ),
        Row(
            "Gradient.create_rag_collection(name=, slug=, filepaths=, chunker=)",
            (_FILES, _RAG_CREATE, _RAG_GET),
        ),
        Row(
            "Gradient.create_rag_collection(name=, slug=) without files",
            (_RAG_CREATE, _RAG_GET, _RAG_DELETE),
        ),
        Row(
            "Gradient.list_rag_collections()",
            (_RAG_CREATE, _RAG_GET, _RAG_LIST),
            client_bug(
                "1.13.1 renamed the collection's parser to chunker but the facade still reads "
                "rag_collection.parser (spec section 4, quirk 4)",
                error="AttributeError",
                match="parser",
            ),
        ),
        Row("Gradient.get_rag_collection(id_=)", (_RAG_CREATE, _RAG_GET)),
        Row("RAGCollection.add_files(filepaths=)", (_RAG_CREATE, _RAG_GET, _FILES, _RAG_ADD)),
        Row(
            "Model.complete(rag={'collection_id': ...}, auto_template=True)",
            (_RAG_CREATE, _RAG_GET, _COMPLETE),
        ),
        Row("RAGCollection.delete()", (_RAG_CREATE, _RAG_GET, _RAG_DELETE)),
        Row("Gradient.close()", ()),
        Row(
            "README flow: complete, fine_tune once, complete again",
            (_M, _CREATE, _COMPLETE, _FINE_TUNE, _DELETE),
            scenario="seed",
        ),
    ),
)

LANGCHAIN = Client(
    name="langchain",
    title="langchain-community 0.4.2 (GradientLLM, GradientEmbeddings)",
    requirements="compat/requirements/langchain.txt",
    command=("{python}", "compat/clients/langchain_checks.py"),
    error_501="Exception",
    notes=(
        "`GradientLLM` calls the REST API itself (requests, aiohttp) and needs "
        "`GRADIENT_API_URL` or `gradient_api_url=`; `GradientEmbeddings` goes through "
        "gradientai. **The seed notebook** (LangChain's `integrations/llms/gradient.ipynb`) "
        "runs cell by cell on SmolLM2, answering correctly after one `fine_tune`, with one "
        "change: its first cell's `from langchain.chains import LLMChain` must read "
        "`from langchain_classic.chains import LLMChain`. With langchain-community 0.4.2 the "
        "packages are `langchain-community`, `langchain-classic` and `gradientai`; the import "
        "as written needs langchain 0.3 (with langchain-community 0.3.x), which cannot be "
        "installed beside langchain-community 0.4.2."
    ),
    rows=(
        Row(
            "GradientLLM(model=) without gradient_api_url or GRADIENT_API_URL",
            (),
            client_bug(
                "the before-validator looks the URL up with no default, so the field's default "
                "https://api.gradient.ai/api is dead (spec section 5)",
                error="ValidationError",
                match="Did not find gradient_api_url",
            ),
        ),
        Row("GradientLLM.invoke(prompt)", (_COMPLETE,)),
        Row("GradientLLM(model_kwargs={temperature, top_k, top_p}).invoke(prompt)", (_COMPLETE,)),
        Row("GradientLLM.invoke(prompt, stop=[...]) cuts on the client", (_COMPLETE,)),
        Row("GradientLLM.batch(prompts) keeps the order", (_COMPLETE,)),
        Row("GradientLLM.generate(prompts)", (_COMPLETE,)),
        Row("GradientLLM.ainvoke(prompt)", (_COMPLETE,)),
        Row("GradientLLM.abatch(prompts)", (_COMPLETE,)),
        Row("GradientLLM.agenerate(prompts)", (_COMPLETE,)),
        Row("GradientLLM.invoke on an unknown model raises 'status 404'", (_COMPLETE,)),
        Row(
            "GradientLLM.ainvoke on an unknown model: the error message",
            (_COMPLETE,),
            client_bug(
                "the aiohttp path formats the unawaited response.text method into the "
                "message, so it shows a bound-method repr instead of the body (spec section 5)",
                error="Exception",
                match=r"status 404: <bound method ClientResponse\.text",
            ),
        ),
        Row("GradientLLM.train_unsupervised(inputs) and with multipliers", (_FINE_TUNE,)),
        Row("GradientLLM.atrain_unsupervised(inputs)", (_FINE_TUNE,)),
        Row("Memorize(llm=GradientLLM) tool", (_FINE_TUNE,)),
        Row("GradientEmbeddings(model='bge-large')", (_EMB,)),
        Row(
            "GradientEmbeddings(model=) for an unknown slug",
            (_EMB,),
            client_bug(_STOP_ITERATION_SLUG, error="StopIteration", match="^$"),
        ),
        Row("GradientEmbeddings.embed_documents(texts)", (_EMBED,)),
        Row("GradientEmbeddings.embed_query(text) with query_prompt_for_retrieval", (_EMBED,)),
        Row("GradientEmbeddings.aembed_documents(texts)", (_EMBED,)),
        Row("GradientEmbeddings.aembed_query(text)", (_EMBED,)),
        Row(
            "notebook import: from langchain.chains import LLMChain",
            (),
            client_limitation(
                "langchain 1.x has no langchain.chains: LLMChain moved to the "
                "langchain-classic package as langchain_classic.chains; langchain 0.3, which "
                "had it, needs a langchain-core older than the 1.x langchain-community 0.4.2 "
                "requires",
                error="ModuleNotFoundError",
                match="No module named 'langchain.chains'",
            ),
            scenario="seed",
        ),
        Row(
            "notebook flow: LLMChain.run before and after one fine_tune",
            (_M, _CREATE, _COMPLETE, _FINE_TUNE, _DELETE),
            scenario="seed",
        ),
    ),
)

LLAMA_INDEX = Client(
    name="llamaindex",
    title="llama-index-llms-gradient / llama-index-embeddings-gradient 0.1.2, "
    "llama-index-finetuning 0.1.10",
    requirements="compat/requirements/llamaindex.txt",
    command=("{python}", "compat/clients/llamaindex_checks.py"),
    error_501="ServiceException",
    rows=(
        Row("GradientBaseModelLLM(base_model_slug=).complete(prompt)", (_M, _COMPLETE)),
        Row("GradientBaseModelLLM.acomplete(prompt)", (_COMPLETE,)),
        Row("GradientBaseModelLLM.chat(messages)", (_COMPLETE,)),
        Row(
            "GradientBaseModelLLM.stream_complete(prompt)",
            (),
            client_limitation(
                "the Gradient LLMs do not stream: stream_complete raises NotImplementedError",
                error="NotImplementedError",
                match="^$",
            ),
        ),
        Row(
            "GradientBaseModelLLM(base_model_slug=) for an unknown slug",
            (_M,),
            client_bug(_STOP_ITERATION_SLUG, error="StopIteration", match="^$"),
        ),
        Row("GradientModelAdapterLLM(model_adapter_id=).complete(prompt)", (_MODEL, _COMPLETE)),
        Row("GradientEmbedding(gradient_model_slug='bge-large')", (_EMB,)),
        Row("GradientEmbedding.get_text_embedding(text)", (_EMBED,)),
        Row("GradientEmbedding.get_query_embedding(query)", (_EMBED,)),
        Row("GradientEmbedding.get_text_embedding_batch(texts)", (_EMBED,)),
        Row(
            "GradientEmbedding.aget_text_embedding_batch(texts)",
            (),
            client_bug(
                "_aget_text_embeddings reads .embeddings off the un-awaited aembed() coroutine "
                "(spec section 5)",
                error="AttributeError",
                match="'coroutine' object has no attribute 'embeddings'",
            ),
        ),
        Row(
            "GradientFinetuneEngine(base_model_slug=, name=, rank=, learning_rate=)",
            (_M, _CREATE),
        ),
        Row("GradientFinetuneEngine.finetune() over a JSONL file", (_FINE_TUNE,)),
        Row("GradientFinetuneEngine.get_finetuned_model().complete(prompt)", (_COMPLETE,)),
        Row("GradientFinetuneEngine(model_adapter_id=).finetune()", (_MODEL, _FINE_TUNE)),
        Row("GradientFinetuneEngine.model_adapter.delete()", (_DELETE, _M)),
    ),
)

HAYSTACK = Client(
    name="haystack",
    title="gradient-haystack 0.4.0 (Haystack 2 components)",
    requirements="compat/requirements/haystack.txt",
    command=("{python}", "compat/clients/haystack_checks.py"),
    error_501="ServiceException",
    rows=(
        Row("GradientGenerator(base_model_slug=).run(prompt)", (_M, _COMPLETE)),
        Row("GradientGenerator(model_adapter_id=).run(prompt)", (_CREATE, _MODEL, _COMPLETE)),
        Row("GradientGenerator to_dict / from_dict round trip", (_M, _COMPLETE)),
        Row("GradientTextEmbedder(model='bge-large').run(text)", (_EMB, _EMBED)),
        Row("GradientDocumentEmbedder(model='bge-large').run(documents)", (_EMB, _EMBED)),
        Row(
            "Pipeline: embed documents, write, retrieve by an embedded query",
            (_EMB, _EMBED),
        ),
    ),
)

NODE = Client(
    name="node",
    title="@gradientai/nodejs-sdk 1.12.1 (official Node.js SDK)",
    requirements="compat/node/package.json",
    command=("node", "compat/node/checks.mjs"),
    error_501="Error",
    notes=(
        "Installed from the npm registry into `compat/node` (`npm ci`, lock file committed) and "
        "run with the machine's Node.js. Unlike gradientai it omits unset fields instead of "
        "sending nulls and sends lowercase booleans (`onlyBase=true`)."
    ),
    rows=(
        Row("new Gradient({}) from GRADIENT_* variables", ()),
        Row("gradient.listModels({ onlyBase: true })", (_M,)),
        Row("gradient.listModels({ onlyBase: true, capability: 'fineTune' })", (_M,)),
        Row("gradient.getBaseModel({ baseModelSlug })", (_M,)),
        Row("gradient.getBaseModel({ baseModelSlug }) for an unknown slug rejects", (_M,)),
        Row("baseModel.createModelAdapter({ name, rank, learningRate })", (_CREATE,)),
        Row("baseModel.createModelAdapter({ name })", (_CREATE,)),
        Row("gradient.listModels({ onlyBase: false }) lists the adapters", (_M,)),
        Row("gradient.getModelAdapter({ modelAdapterId })", (_MODEL,)),
        Row("baseModel.complete({ query, maxGeneratedTokenCount })", (_COMPLETE,)),
        Row("modelAdapter.complete({ autoTemplate, temperature, topK, topP })", (_COMPLETE,)),
        Row("modelAdapter.complete({ guidance })", (_COMPLETE,), replace(_GUIDANCE, error="Error")),
        Row("modelAdapter.fineTune({ samples }) twice, loss falls", (_FINE_TUNE,)),
        Row("modelAdapter.fineTune({ samples }) structured, with multiplier", (_FINE_TUNE,)),
        Row("modelAdapter.complete after fine-tuning", (_COMPLETE,)),
        Row("modelAdapter.delete(), then getModelAdapter rejects with 404", (_DELETE, _MODEL)),
        Row("new Gradient({ accessToken: <wrong> }) rejects with 401", (_M,)),
        Row("gradient.listEmbeddingsModels({})", (_EMB,)),
        Row("gradient.getEmbeddingsModel({ slug: 'bge-large' })", (_EMB,)),
        Row("embeddingsModel.generateEmbeddings({ inputs })", (_EMBED,)),
        Row("gradient.answer({ source: { type: 'document' } })", ("POST /blocks/answer",)),
        Row(
            "gradient.answer({ source: { type: 'rag', collectionId } })",
            (_RAG_CREATE, _RAG_GET, "POST /blocks/answer", _RAG_DELETE),
        ),
        Row("gradient.summarize({ document, examples, length })", ("POST /blocks/summarize",)),
        Row(
            "gradient.analyzeSentiment({ document, examples })",
            ("POST /blocks/analyze-sentiment",),
        ),
        Row(
            "gradient.personalize({ document, audienceDescription })",
            ("POST /blocks/personalize",),
        ),
        Row("gradient.extract({ document, schema })", ("POST /blocks/extract",)),
        Row("gradient.extractPdf({ filepath })", ("POST /blocks/extract-pdf",)),
        Row(
            "gradient.transcribeAudio({ filepath })",
            (_FILES, "POST /blocks/transcription", "GET /blocks/transcription"),
        ),
        Row(
            "gradient.createRagCollection({ name, slug, filepaths, chunker })",
            (_FILES, _RAG_CREATE, _RAG_GET),
        ),
        Row("gradient.listRagCollections({})", (_RAG_CREATE, _RAG_GET, _RAG_LIST)),
        Row("gradient.getRagCollection({ id })", (_RAG_CREATE, _RAG_GET)),
        Row(
            "ragCollection.addFiles({ filepaths })",
            (_RAG_CREATE, _RAG_GET, _FILES, _RAG_ADD, _RAG_GET),
        ),
        Row(
            "baseModel.complete({ rag: { collectionId }, autoTemplate: true })",
            (_RAG_CREATE, _RAG_GET, _COMPLETE),
        ),
        Row("ragCollection.delete({})", (_RAG_CREATE, _RAG_GET, _RAG_DELETE)),
    ),
)

CLIENTS: dict[str, Client] = {
    client.name: client for client in (GRADIENTAI, LANGCHAIN, LLAMA_INDEX, HAYSTACK, NODE)
}
