// The official Node.js SDK (@gradientai/nodejs-sdk), unmodified, against the emulator.
//
// Run by compat/run.py as `node compat/node/checks.mjs <scenario>` with GRADIENT_API_URL,
// GRADIENT_ACCESS_TOKEN, GRADIENT_WORKSPACE_ID, COMPAT_RESULTS and COMPAT_SCRATCH set. Each
// check writes one JSON line to COMPAT_RESULTS: it works when it resolves; a rejection is its
// failure, recorded with the error's class, message and, for HTTP errors, status and body,
// which compat/matrix.py matches. This SDK omits unset fields and sends lowercase booleans,
// unlike gradientai.

import assert from "node:assert/strict";
import { appendFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

import { Gradient } from "@gradientai/nodejs-sdk";

const scenario = process.argv[2];
const results = process.env.COMPAT_RESULTS;
const scratch = process.env.COMPAT_SCRATCH;
const limitMs = Number(process.env.COMPAT_CHECK_TIMEOUT ?? "120") * 1000;
const checks = [];
const state = {};

function check(name, run, checkScenario = "breadth") {
  checks.push({ name, run, scenario: checkScenario });
}

function describe(error) {
  const response = error?.response;
  return {
    error_type: error?.constructor?.name ?? typeof error,
    message: String(error?.message ?? error),
    status: typeof response?.status === "number" ? response.status : null,
    body: response?.data === undefined ? null : JSON.stringify(response.data),
    traceback: String(error?.stack ?? "").split("\n").slice(0, 6).join("\n"),
  };
}

async function rejects(promise) {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new assert.AssertionError({ message: "expected the call to reject, but it resolved" });
}

function assertCompletion(response) {
  assert.equal(typeof response.generatedOutput, "string");
  assert.ok(typeof response.finishReason === "string" && response.finishReason.length > 0);
}

function assertUnitVectors(vectors) {
  assert.ok(vectors.length > 0);
  for (const vector of vectors) {
    assert.equal(vector.length, vectors[0].length);
    const norm = Math.sqrt(vector.reduce((sum, x) => sum + x * x, 0));
    assert.ok(Math.abs(norm - 1) < 1e-3, `norm ${norm}`);
  }
}

// The SDK has no wait: look until every file has ingested (a few looks here).
async function waitUntilIngested(id) {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    const statuses = new Set((await client().getRagCollection({ id })).files.map((f) => f.status));
    if ([...statuses].every((status) => status === "succeeded")) return;
    assert.ok(!statuses.has("failed"), [...statuses].join(", "));
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`collection ${id} did not ingest in 60 s`);
}

function files() {
  if (!state.files) {
    const text = join(scratch, "dallas.txt");
    writeFileSync(text, "The Dallas Cowboys won the Super Bowl in 1994.\n");
    // A one-page PDF and one second of a 440 Hz tone, made here: nothing is downloaded.
    const pdf = join(scratch, "report.pdf");
    writeFileSync(pdf, minimalPdf("Gradient emulator compatibility report"));
    const audio = join(scratch, "tone.wav");
    writeFileSync(audio, toneWav());
    state.files = { text, pdf, audio };
  }
  return state.files;
}

function minimalPdf(line) {
  const stream = `BT /F1 18 Tf 72 720 Td (${line}) Tj ET`;
  const objects = [
    "<< /Type /Catalog /Pages 2 0 R >>",
    "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
    "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R" +
      " /Resources << /Font << /F1 5 0 R >> >> >>",
    `<< /Length ${stream.length} >>\nstream\n${stream}\nendstream`,
    "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
  ];
  let document = "%PDF-1.4\n";
  const offsets = objects.map((body, index) => {
    const offset = document.length;
    document += `${index + 1} 0 obj\n${body}\nendobj\n`;
    return offset;
  });
  const xref = document.length;
  document += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n`;
  document += offsets.map((o) => `${String(o).padStart(10, "0")} 00000 n \n`).join("");
  document += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return Buffer.from(document, "latin1");
}

function toneWav() {
  const rate = 16000;
  const samples = Buffer.alloc(rate * 2);
  for (let n = 0; n < rate; n++) {
    samples.writeInt16LE(Math.round(8000 * Math.sin((2 * Math.PI * 440 * n) / rate)), n * 2);
  }
  const header = Buffer.alloc(44);
  header.write("RIFF", 0);
  header.writeUInt32LE(36 + samples.length, 4);
  header.write("WAVEfmt ", 8);
  header.writeUInt32LE(16, 16);
  header.writeUInt16LE(1, 20);
  header.writeUInt16LE(1, 22);
  header.writeUInt32LE(rate, 24);
  header.writeUInt32LE(rate * 2, 28);
  header.writeUInt16LE(2, 32);
  header.writeUInt16LE(16, 34);
  header.write("data", 36);
  header.writeUInt32LE(samples.length, 40);
  return Buffer.concat([header, samples]);
}

const client = () => (state.gradient ??= new Gradient({}));

// Models

check("new Gradient({}) from GRADIENT_* variables", async () => {
  assert.equal(client().workspaceId, process.env.GRADIENT_WORKSPACE_ID);
});

check("gradient.listModels({ onlyBase: true })", async () => {
  const models = await client().listModels({ onlyBase: true });
  assert.equal(models.length, 1);
  const [model] = models;
  assert.equal(model.id.length, 50);
  assert.ok(model.id.endsWith("_base_ml_model"));
  assert.deepEqual([...model.capabilities].sort(), ["complete", "fineTune"]);
  state.base = model;
});

check("gradient.listModels({ onlyBase: true, capability: 'fineTune' })", async () => {
  const models = await client().listModels({ onlyBase: true, capability: "fineTune" });
  assert.deepEqual(
    models.map((m) => m.id),
    [state.base.id],
  );
});

check("gradient.getBaseModel({ baseModelSlug })", async () => {
  const model = await client().getBaseModel({ baseModelSlug: state.base.slug });
  assert.equal(model.id, state.base.id);
});

check("gradient.getBaseModel({ baseModelSlug }) for an unknown slug rejects", async () => {
  const error = await rejects(client().getBaseModel({ baseModelSlug: "nous-hermes2" }));
  assert.match(error.message, /Base model not found for slug nous-hermes2/);
});

check("baseModel.createModelAdapter({ name, rank, learningRate })", async () => {
  const adapter = await state.base.createModelAdapter({
    name: "node compat",
    rank: 4,
    learningRate: 0.001,
  });
  assert.equal(adapter.id.length, 50);
  assert.ok(adapter.id.endsWith("_model_adapter"));
  assert.equal(adapter.name, "node compat");
  assert.equal(adapter.baseModelId, state.base.id);
  state.adapter = adapter;
});

check("baseModel.createModelAdapter({ name })", async () => {
  state.defaults = await state.base.createModelAdapter({ name: "node defaults" });
  assert.notEqual(state.defaults.id, state.adapter.id);
});

check("gradient.listModels({ onlyBase: false }) lists the adapters", async () => {
  const models = await client().listModels({ onlyBase: false });
  const ids = models.map((m) => m.id);
  assert.ok(ids.includes(state.base.id));
  assert.ok(ids.includes(state.adapter.id) && ids.includes(state.defaults.id));
});

check("gradient.getModelAdapter({ modelAdapterId })", async () => {
  const found = await client().getModelAdapter({ modelAdapterId: state.adapter.id });
  assert.deepEqual(
    [found.id, found.name, found.baseModelId],
    [state.adapter.id, "node compat", state.base.id],
  );
});

check("baseModel.complete({ query, maxGeneratedTokenCount })", async () => {
  const first = await state.base.complete({ query: "Say hello:", maxGeneratedTokenCount: 8 });
  assertCompletion(first);
  const again = await state.base.complete({ query: "Say hello:", maxGeneratedTokenCount: 8 });
  assert.equal(again.generatedOutput, first.generatedOutput);
});

check("modelAdapter.complete({ autoTemplate, temperature, topK, topP })", async () => {
  assertCompletion(
    await state.adapter.complete({
      query: "Say hello:",
      autoTemplate: true,
      maxGeneratedTokenCount: 8,
      temperature: 0.7,
      topK: 20,
      topP: 0.9,
    }),
  );
});

check("modelAdapter.complete({ guidance })", async () => {
  const { generatedOutput } = await state.adapter.complete({
    query: "Yes or no?",
    guidance: { type: "choice", value: ["yes", "no"] },
  });
  assert.ok(["yes", "no"].includes(generatedOutput), generatedOutput);
});

const LESSON = "Question: Who won?\n\nAnswer: The Dallas Cowboys!";

check("modelAdapter.fineTune({ samples }) twice, loss falls", async () => {
  const first = await state.adapter.fineTune({ samples: [{ inputs: LESSON }] });
  const second = await state.adapter.fineTune({ samples: [{ inputs: LESSON }] });
  assert.ok(first.numberOfTrainableTokens > 0);
  assert.equal(second.numberOfTrainableTokens, first.numberOfTrainableTokens);
  assert.ok(Number.isFinite(first.sumLoss) && first.sumLoss > 0);
  assert.ok(second.sumLoss < first.sumLoss, `${second.sumLoss} >= ${first.sumLoss}`);
});

check("modelAdapter.fineTune({ samples }) structured, with multiplier", async () => {
  const structured = await state.adapter.fineTune({
    samples: [
      {
        inputs: [
          { value: "Question: Who won?\n\nAnswer:", trainable: false },
          { value: " The Dallas Cowboys!", parseSpecialTokens: false },
        ],
        fineTuningParameters: { multiplier: 2 },
      },
    ],
  });
  const plain = await state.adapter.fineTune({ samples: [{ inputs: LESSON }] });
  assert.ok(structured.numberOfTrainableTokens > 0);
  assert.ok(structured.numberOfTrainableTokens < plain.numberOfTrainableTokens);
});

check("modelAdapter.complete after fine-tuning", async () => {
  assertCompletion(await state.adapter.complete({ query: "Question: Who won?\n\nAnswer:" }));
});

check("modelAdapter.delete(), then getModelAdapter rejects with 404", async () => {
  for (const adapter of [state.defaults, state.adapter]) {
    await adapter.delete();
    const error = await rejects(client().getModelAdapter({ modelAdapterId: adapter.id }));
    assert.equal(error.response?.status, 404);
  }
});

check("new Gradient({ accessToken: <wrong> }) rejects with 401", async () => {
  const wrong = new Gradient({ accessToken: `${process.env.GRADIENT_ACCESS_TOKEN}-wrong` });
  const error = await rejects(wrong.listModels({ onlyBase: true }));
  assert.equal(error.response?.status, 401);
});

// Embeddings

check("gradient.listEmbeddingsModels({})", async () => {
  const models = await client().listEmbeddingsModels({});
  assert.deepEqual(
    models.map((m) => m.slug),
    ["bge-large"],
  );
});

check("gradient.getEmbeddingsModel({ slug: 'bge-large' })", async () => {
  state.embeddings = await client().getEmbeddingsModel({ slug: "bge-large" });
  assert.equal(state.embeddings.slug, "bge-large");
});

check("embeddingsModel.generateEmbeddings({ inputs })", async () => {
  const { embeddings } = await state.embeddings.generateEmbeddings({
    inputs: [{ input: "pizza" }, { input: "a document about pizza" }],
  });
  assert.deepEqual(
    embeddings.map((e) => e.index),
    [0, 1],
  );
  assertUnitVectors(embeddings.map((e) => e.embedding));
});

// Blocks

check("gradient.answer({ source: { type: 'document' } })", async () => {
  const { answer } = await client().answer({
    question: "Who won the Super Bowl in 1994?",
    source: { type: "document", value: "The Dallas Cowboys won the Super Bowl in 1994." },
  });
  assert.ok(typeof answer === "string" && answer.length > 0);
});

check("gradient.answer({ source: { type: 'rag', collectionId } })", async () => {
  const collection = await client().createRagCollection({
    name: "node answers",
    slug: "bge-large",
    filepaths: [files().text],
  });
  try {
    await waitUntilIngested(collection.id);
    const { answer, ragContext } = await client().answer({
      question: "Who won?",
      source: { type: "rag", collectionId: collection.id },
    });
    assert.ok(typeof answer === "string" && answer.length > 0);
    assert.ok(ragContext && ragContext.documents.length > 0);
  } finally {
    await collection.delete({});
  }
});

check("gradient.summarize({ document, examples, length })", async () => {
  const { summary } = await client().summarize({
    document: "The Dallas Cowboys won the Super Bowl in 1994. It was their fourth title.",
    examples: [{ document: "A long text.", summary: "Text." }],
    length: "short",
  });
  assert.ok(typeof summary === "string" && summary.length > 0);
});

check("gradient.analyzeSentiment({ document, examples })", async () => {
  const { sentiment } = await client().analyzeSentiment({
    document: "I love this team!",
    examples: [{ document: "Terrible game.", sentiment: "negative" }],
  });
  assert.ok(["positive", "negative", "neutral"].includes(sentiment));
});

check("gradient.personalize({ document, audienceDescription })", async () => {
  const { personalizedDocument } = await client().personalize({
    document: "The Dallas Cowboys won.",
    audienceDescription: "a five-year-old",
  });
  assert.ok(typeof personalizedDocument === "string" && personalizedDocument.length > 0);
});

check("gradient.extract({ document, schema })", async () => {
  const { entity } = await client().extract({
    document: "The Dallas Cowboys won the Super Bowl in 1994.",
    schema: { team: { type: "string", required: true }, year: { type: "number" } },
  });
  assert.ok("team" in entity);
});

check("gradient.extractPdf({ filepath })", async () => {
  const result = await client().extractPdf({ filepath: files().pdf });
  assert.match(result.text, /compatibility/);
  assert.deepEqual(
    result.pages.map((p) => p.pageNumber),
    [1],
  );
});

check("gradient.transcribeAudio({ filepath })", async () => {
  const { text } = await client().transcribeAudio({ filepath: files().audio });
  assert.equal(typeof text, "string");
});

// RAG collections

async function ragCollection() {
  state.rag ??= await client().createRagCollection({ name: "node rag", slug: "bge-large" });
  return state.rag;
}

check("gradient.createRagCollection({ name, slug, filepaths, chunker })", async () => {
  const collection = await client().createRagCollection({
    name: "node rag",
    slug: "bge-large",
    filepaths: [files().text],
    chunker: { chunkerType: "normalChunker", size: 128, overlap: 16 },
  });
  assert.equal(collection.name, "node rag");
  assert.deepEqual(
    collection.files.map((f) => f.name),
    ["dallas.txt"],
  );
  assert.equal(collection.chunker.chunkerType, "normalChunker");
  state.rag = collection;
});

check("gradient.listRagCollections({})", async () => {
  const collection = await ragCollection();
  const listed = await client().listRagCollections({});
  assert.ok(listed.map((c) => c.id).includes(collection.id));
});

check("gradient.getRagCollection({ id })", async () => {
  const collection = await ragCollection();
  const found = await client().getRagCollection({ id: collection.id });
  assert.deepEqual([found.id, found.name], [collection.id, collection.name]);
});

check("ragCollection.addFiles({ filepaths })", async () => {
  const collection = await ragCollection();
  const before = collection.files.length;
  await collection.addFiles({ filepaths: [files().text] });
  assert.equal(collection.files.length, before + 1);
});

check("baseModel.complete({ rag: { collectionId }, autoTemplate: true })", async () => {
  const collection = await ragCollection();
  assertCompletion(
    await state.base.complete({
      query: "Who won the Super Bowl in 1994?",
      autoTemplate: true,
      maxGeneratedTokenCount: 8,
      rag: { collectionId: collection.id },
    }),
  );
});

check("ragCollection.delete({})", async () => {
  const collection = await ragCollection();
  await collection.delete({});
  const error = await rejects(client().getRagCollection({ id: collection.id }));
  assert.equal(error.response?.status, 404);
});

async function runWithin(run, milliseconds) {
  let timer;
  const expired = new Promise((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`the check took longer than ${milliseconds / 1000} s`)),
      milliseconds,
    );
  });
  try {
    return await Promise.race([run(), expired]);
  } finally {
    clearTimeout(timer);
  }
}

for (const { name, run, scenario: checkScenario } of checks) {
  if (checkScenario !== scenario) continue;
  const started = performance.now();
  let record;
  try {
    await runWithin(run, limitMs);
    record = { check: name, outcome: "works" };
  } catch (error) {
    record = { check: name, outcome: "fails", ...describe(error) };
  }
  record.seconds = Math.round(performance.now() - started) / 1000;
  appendFileSync(results, `${JSON.stringify(record)}\n`);
  const shown = record.outcome === "works" ? "works" : record.error_type;
  console.log(`  ${record.seconds.toFixed(2).padStart(6)} s  ${name}: ${shown}`);
}
