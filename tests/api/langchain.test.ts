import { randomUUID } from "node:crypto";
import { StringOutputParser } from "@langchain/core/output_parsers";
import { ChatPromptTemplate } from "@langchain/core/prompts";
import { ChatOpenAI } from "@langchain/openai";
import { expect, it } from "vitest";
import { loggedRequestTagged, uniqueTag } from "../helpers/logged-requests";
import { describeOnEachDatabase, PROVIDER_KEY } from "../helpers/test-stack";

// gpt-4o-mini: $0.15 / 1M input tokens, $0.60 / 1M output tokens
const GPT_4O_MINI = { input: 0.15, output: 0.6 };

// LangChain.js pointed at the proxy the documented way: configuration.baseURL and defaultHeaders.
describeOnEachDatabase("LangChain.js (@langchain/openai) through the proxy", (stack) => {
  function chatModel(headers: Record<string, string>) {
    return new ChatOpenAI({
      model: "gpt-4o-mini",
      apiKey: PROVIDER_KEY,
      maxRetries: 0,
      configuration: {
        baseURL: `${stack().app.url}/v1`,
        defaultHeaders: { "Helicone-Auth": `Bearer ${stack().app.apiKey}`, ...headers },
      },
    });
  }

  it("invoke is answered and logged with the same token counts LangChain reports, priced as gpt-4o-mini", async () => {
    const tag = uniqueTag();
    const sessionId = uniqueTag("session");
    const model = chatModel({ "Helicone-Property-Case": tag, "Helicone-Session-Id": sessionId, "Helicone-User-Id": "langchain-user" });
    const answer = await model.invoke("What is a trace tree?");
    expect(answer.content).toContain("Mock answer to: What is a trace tree?");
    const usage = answer.usage_metadata!;

    const logged = await loggedRequestTagged(stack(), tag);
    expect(logged).toMatchObject({
      source: "proxy",
      provider: "openai",
      model: "gpt-4o-mini",
      path: "/v1/chat/completions",
      status: 200,
      stream: false,
      promptTokens: usage.input_tokens,
      completionTokens: usage.output_tokens,
      tokensEstimated: false,
      sessionId,
      userId: "langchain-user",
    });
    expect(logged.cost).toBeCloseTo((usage.input_tokens * GPT_4O_MINI.input + usage.output_tokens * GPT_4O_MINI.output) / 1e6, 12);
    expect(logged.responseBody.choices[0].message.content).toBe(answer.content);
  });

  it("a streamed prompt | model | parser chain yields chunks, and the log holds the assembled answer with exact usage and TTFT", async () => {
    const tag = uniqueTag();
    const chain = ChatPromptTemplate.fromMessages([
      ["system", "You explain things briefly."],
      ["user", "Explain {topic}"],
    ])
      .pipe(chatModel({ "Helicone-Property-Case": tag }))
      .pipe(new StringOutputParser());
    const chunks: string[] = [];
    for await (const chunk of await chain.stream({ topic: "critical paths" })) chunks.push(chunk);
    expect(chunks.length).toBeGreaterThan(5);
    const text = chunks.join("");
    expect(text).toContain("Mock answer to: Explain critical paths");

    const logged = await loggedRequestTagged(stack(), tag);
    expect(logged).toMatchObject({ stream: true, model: "gpt-4o-mini", status: 200, costUnknown: false });
    // LangChain asks for stream usage, so the counts are the provider's, not estimates.
    expect(logged.tokensEstimated).toBe(false);
    expect(logged.completionTokens).toBe(16);
    expect(logged.timeToFirstTokenMs).toEqual(expect.any(Number));
    expect(logged.requestBody.messages).toEqual([
      { role: "system", content: "You explain things briefly." },
      { role: "user", content: "Explain critical paths" },
    ]);
    expect(logged.responseBody.choices[0].message.content).toBe(text);
  });

  it("a two-step chain with Helicone-Node-Id per call forms one trace: plan as parent, answer as its child", async () => {
    const traceId = randomUUID();
    const answerNode = `${traceId}:${randomUUID()}`;
    const model = chatModel({ "Helicone-Node-Id": traceId });

    const plan = await model.invoke("Plan a trip to Tokyo");
    // Per-call headers (passed through to the openai client) override the default node id.
    await model.invoke(`Carry out: ${String(plan.content)}`, { options: { headers: { "Helicone-Node-Id": answerNode } } });

    await stack().waitForRequests(`traceId=${traceId}`, 2);
    const { status, body } = await stack().api(`/api/v1/traces/${traceId}`);
    expect(status).toBe(200);
    const byId = Object.fromEntries(body.nodes.map((node: any) => [node.id, node]));
    expect(Object.keys(byId).sort()).toEqual([traceId, answerNode].sort());
    expect(byId[traceId]).toMatchObject({ parentId: null, virtual: false });
    expect(byId[answerNode]).toMatchObject({ parentId: traceId, depth: 2 });
    expect(byId[answerNode].requests[0].model).toBe("gpt-4o-mini");
    expect(body.metrics).toMatchObject({ nodeCount: 2, maxDepth: 2, successRate: 1, costComplete: true });
  });
});
