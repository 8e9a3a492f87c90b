/**
 * Realistic sample traffic for the dashboard, sent the way an application would: the openai and
 * Anthropic SDKs through the logging proxy, and the custom-log endpoint. Upstream must be the mock
 * provider (x-mock-* headers shape latency, streaming and failures). Used by `npm run demo` and by
 * the browser tests' setup.
 *
 * What it sends: the seed's four examples (basic, agent, RAG, parallel), an agent with a failing
 * branch and a retried step, a 12-level research chain, a 40-way parallel fan-out, multi-turn
 * chat sessions of three users, an Anthropic call, and custom-logged tool steps.
 */
import { randomUUID } from "node:crypto";
import Anthropic from "@anthropic-ai/sdk";
import OpenAI from "openai";

export interface DemoTarget {
  /** the app, e.g. http://127.0.0.1:3000 */
  baseUrl: string;
  apiKey: string;
  log?: (line: string) => void;
}

type Headers = Record<string, string>;
const short = () => randomUUID().slice(0, 8);

export async function sendDemoTraffic({ baseUrl, apiKey, log = () => {} }: DemoTarget): Promise<{ requests: number; traceIds: string[] }> {
  const openai = new OpenAI({ apiKey: "sk-demo-provider-key", baseURL: `${baseUrl}/v1`, defaultHeaders: { "Helicone-Auth": `Bearer ${apiKey}` }, maxRetries: 0 });
  const anthropic = new Anthropic({ apiKey: "sk-ant-demo-provider-key", baseURL: `${baseUrl}/anthropic`, defaultHeaders: { "Helicone-Auth": `Bearer ${apiKey}` }, maxRetries: 0 });
  let requests = 0;
  const traceIds: string[] = [];

  const chat = async (content: string, headers: Headers, { model = "gpt-4o-mini", system, latencyMs = 300, tokens = 40, stream = false }: { model?: string; system?: string; latencyMs?: number; tokens?: number; stream?: boolean } = {}) => {
    requests++;
    const messages = [...(system ? [{ role: "system" as const, content: system }] : []), { role: "user" as const, content }];
    const mock = { "x-mock-latency-ms": String(latencyMs), "x-mock-completion-tokens": String(tokens) };
    try {
      if (stream) {
        const chunks = await openai.chat.completions.create(
          { model, messages, stream: true, stream_options: { include_usage: true } },
          { headers: { ...headers, ...mock, "x-mock-chunk-delay-ms": "8" } },
        );
        let text = "";
        for await (const chunk of chunks) text += chunk.choices[0]?.delta.content ?? "";
        return text;
      }
      const response = await openai.chat.completions.create({ model, messages }, { headers: { ...headers, ...mock } });
      return response.choices[0]?.message.content ?? "";
    } catch (error) {
      if (error instanceof OpenAI.APIError) return null; // a failed step: the trace goes on, as the seed advises
      throw error;
    }
  };
  const failing = (status: number): Headers => ({ "x-mock-error-status": String(status) });
  // Independent workflows run side by side, as they would in production.
  const sections: Array<() => Promise<void>> = [];

  // 1. Seed "Basic": a travel plan with two children and a grandchild.
  sections.push(async () => {
    const root = `tokyo-trip-${short()}`;
    traceIds.push(root);
    const child2 = `${root}:${short()}`;
    await chat("Create a travel plan for Tokyo", { "Helicone-Node-Id": root }, { model: "gpt-4", latencyMs: 900, tokens: 120 });
    await Promise.all([
      chat("What are top attractions in Tokyo?", { "Helicone-Node-Id": `${root}:${short()}` }, { model: "gpt-4", latencyMs: 650, tokens: 90 }),
      chat("What are best restaurants in Tokyo?", { "Helicone-Node-Id": child2 }, { model: "gpt-4", latencyMs: 520, tokens: 80 }),
    ]);
    await chat("Tell me about Sukiyabashi Jiro", { "Helicone-Node-Id": `${child2}:${short()}` }, { model: "gpt-4", latencyMs: 700, tokens: 60 });
    log("basic trace (travel plan)");
  });

  // 2. Seed "Agent": plan, actions, reflect under a virtual agent node; in a session of alice's.
  sections.push(async () => {
    const agent = `agent-${randomUUID()}`;
    traceIds.push(agent);
    const session: Headers = { "Helicone-Session-Id": `sess-${short()}`, "Helicone-Session-Name": "AI safety research", "Helicone-User-Id": "alice@example.com" };
    await chat("Plan how to accomplish: Research AI safety concerns", { ...session, "Helicone-Node-Id": `${agent}:${short()}`, "Helicone-Property-Step": "planning" }, { model: "gpt-4", latencyMs: 800, tokens: 150 });
    for (const [i, action] of ["search recent papers", "summarise alignment approaches", "list open problems"].entries()) {
      await chat(`Execute action: ${action}`, { ...session, "Helicone-Node-Id": `${agent}:${short()}`, "Helicone-Property-Step": `action_${i}` }, { model: "gpt-4", latencyMs: 400 + i * 250, tokens: 70 });
    }
    await chat("Review the results and provide final answer", { ...session, "Helicone-Node-Id": `${agent}:${short()}`, "Helicone-Property-Step": "reflection" }, { model: "gpt-4", latencyMs: 1100, tokens: 200, stream: true });
    log("agent trace (planning → actions → reflection)");
  });

  // 3. Seed "RAG": embedding, retrieval (custom-logged), generation.
  sections.push(async () => {
    const trace = `rag-${randomUUID()}`;
    traceIds.push(trace);
    requests++;
    await openai.embeddings.create(
      { model: "text-embedding-3-small", input: "What is quantum computing?" },
      { headers: { "Helicone-Node-Id": `${trace}:${short()}`, "Helicone-Property-Stage": "embedding", "x-mock-latency-ms": "120" } },
    );
    requests++;
    await customLog(baseUrl, apiKey, `${trace}:${short()}`, { Stage: "retrieval" }, "vector-search", 180);
    await chat("Context: [3 documents]\n\nQuestion: What is quantum computing?", { "Helicone-Node-Id": `${trace}:${short()}`, "Helicone-Property-Stage": "generation" }, {
      model: "gpt-4o",
      system: "Answer using the provided context.",
      latencyMs: 950,
      tokens: 180,
      stream: true,
    });
    log("RAG trace (embedding → retrieval → generation)");
  });

  // 4. Seed "Parallel": three aspects at once.
  sections.push(async () => {
    const parent = `analysis-${short()}`;
    traceIds.push(parent);
    await Promise.all(
      ["technical", "business", "ethical"].map((aspect, i) =>
        chat(`${aspect[0]!.toUpperCase()}${aspect.slice(1)} analysis of AI regulation`, { "Helicone-Node-Id": `${parent}:${short()}`, "Helicone-Property-Aspect": aspect }, { model: "gpt-4", latencyMs: 500 + i * 300, tokens: 110 }),
      ),
    );
    log("parallel trace (three aspects)");
  });

  // 5. A support agent with a failing branch: a tool step that fails and is retried, a branch that
  //    keeps failing (rate limited), and an answer that is still produced.
  sections.push(async () => {
    const root = `support-agent-${short()}`;
    traceIds.push(root);
    const user: Headers = { "Helicone-User-Id": "bob@example.com", "Helicone-Session-Id": `sess-${short()}`, "Helicone-Session-Name": "Refund request #4411" };
    await chat("Customer asks for a refund of order #4411", { ...user, "Helicone-Node-Id": root, "Helicone-Property-Step": "triage" }, { latencyMs: 350 });
    const lookup = `${root}:lookup`;
    await chat("Look up order #4411", { ...user, ...failing(500), "Helicone-Node-Id": lookup, "Helicone-Property-Step": "order_lookup" }, { latencyMs: 200 });
    await chat("Look up order #4411", { ...user, "Helicone-Node-Id": lookup, "Helicone-Property-Step": "order_lookup" }, { latencyMs: 260 });
    const policy = `${root}:policy`;
    await chat("Which refund policy applies?", { ...user, "Helicone-Node-Id": policy, "Helicone-Property-Step": "policy_check" }, { model: "gpt-4o", latencyMs: 600 });
    await Promise.all([
      chat("Check fraud signals", { ...user, ...failing(429), "Helicone-Node-Id": `${policy}:fraud`, "Helicone-Property-Step": "fraud_check" }, { latencyMs: 90 }),
      chat("Check payment provider status", { ...user, ...failing(503), "Helicone-Node-Id": `${policy}:payments`, "Helicone-Property-Step": "payment_status" }, { latencyMs: 1500 }),
      chat("Summarise customer history", { ...user, "Helicone-Node-Id": `${policy}:history`, "Helicone-Property-Step": "history" }, { latencyMs: 420 }),
    ]);
    await chat("Draft the reply to the customer", { ...user, "Helicone-Node-Id": `${root}:reply`, "Helicone-Property-Step": "reply" }, { model: "gpt-4o", latencyMs: 700, tokens: 160, stream: true });
    log("support agent trace with a failing branch and a retry");
  });

  // 6. A 12-level research chain: each step delegates a narrower question.
  sections.push(async () => {
    const segments = [`deep-research-${short()}`];
    traceIds.push(segments[0]!);
    for (let level = 1; level <= 12; level++) {
      await chat(`Level ${level}: narrow down the question on battery chemistry`, { "Helicone-Node-Id": segments.join(":"), "Helicone-Property-Step": `depth_${level}`, "Helicone-Property-Iteration": String(level) }, { latencyMs: 80 + level * 25, tokens: 30 });
      segments.push(`l${level + 1}`);
    }
    log("12-level trace");
  });

  // 7. A wide fan-out: 40 documents classified in parallel, then one merge step.
  sections.push(async () => {
    const root = `batch-classify-${short()}`;
    traceIds.push(root);
    await chat("Split the batch of 40 support tickets", { "Helicone-Node-Id": root, "Helicone-Property-Step": "split" }, { latencyMs: 150 });
    await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        chat(`Classify ticket ${i + 1}`, { "Helicone-Node-Id": `${root}:ticket-${String(i + 1).padStart(2, "0")}`, "Helicone-Property-Step": "classify" }, { latencyMs: 100 + ((i * 37) % 400), tokens: 8 }),
      ),
    );
    await chat("Merge the 40 classifications", { "Helicone-Node-Id": `${root}:merge`, "Helicone-Property-Step": "merge" }, { latencyMs: 300 });
    log("40-way parallel fan-out");
  });

  // 8. Chat sessions of three users, a few turns each; one session also calls Claude.
  sections.push(async () => {
    const conversations: Array<[string, string, string[]]> = [
      ["alice@example.com", "Onboarding questions", ["How do I invite a teammate?", "And how do I revoke their access later?"]],
      ["carol@example.com", "SQL helper", ["Write a query for monthly active users", "Now group it by country", "Add a 7-day rolling average"]],
      ["bob@example.com", "Travel chat", ["Suggest a weekend in Lisbon", "Where should I eat?"]],
    ];
    await Promise.all(
      conversations.map(async ([userId, name, turns]) => {
        const session: Headers = { "Helicone-Session-Id": `sess-${short()}`, "Helicone-Session-Name": name, "Helicone-User-Id": userId, "Helicone-Property-App": "assistant-web" };
        for (const turn of turns) await chat(turn, session, { latencyMs: 350, tokens: 60, stream: true });
      }),
    );
    requests++;
    await anthropic.messages.create(
      { model: "claude-sonnet-4-6", max_tokens: 256, messages: [{ role: "user", content: "Review this SQL for performance problems" }] },
      { headers: { "Helicone-User-Id": "carol@example.com", "Helicone-Property-App": "assistant-web", "x-mock-latency-ms": "640" } },
    );
    log("chat sessions of three users");
  });

  await Promise.all(sections.map((section) => section()));
  return { requests, traceIds };
}

/** POST /v1/trace/custom/log: a step that is not an LLM call (here a vector search) in the trace. */
async function customLog(baseUrl: string, apiKey: string, nodeId: string, properties: Record<string, string>, tool: string, latencyMs: number): Promise<void> {
  const end = Date.now();
  const start = end - latencyMs;
  const response = await fetch(`${baseUrl}/v1/trace/custom/log`, {
    method: "POST",
    headers: {
      authorization: `Bearer ${apiKey}`,
      "content-type": "application/json",
      "Helicone-Node-Id": nodeId,
      ...Object.fromEntries(Object.entries(properties).map(([key, value]) => [`Helicone-Property-${key}`, value])),
    },
    body: JSON.stringify({
      providerRequest: { url: `https://tools.internal/${tool}`, json: { query: "What is quantum computing?", topK: 3 }, meta: {} },
      providerResponse: { json: { documents: ["qubits.md", "superposition.md", "shor.md"] }, status: 200, headers: {} },
      timing: { startTime: start, endTime: end },
      provider: "custom",
    }),
  });
  if (!response.ok) throw new Error(`custom log answered ${response.status}: ${await response.text()}`);
}
