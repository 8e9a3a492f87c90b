import { randomUUID } from "node:crypto";
import { expect, it } from "vitest";
import { describeOnEachDatabase } from "../helpers/test-stack";

// The seed's Basic, Agent, RAG and Parallel examples, written as a user would with the real
// openai SDK, through our proxy, against the mock provider.
describeOnEachDatabase("seed examples through the OpenAI proxy", (stack) => {
  const headers = (nodeId: string, extra: Record<string, string> = {}) => ({ headers: { "Helicone-Node-Id": nodeId, ...extra } });
  const ask = (content: string) => ({ model: "gpt-4", messages: [{ role: "user" as const, content }] });

  async function trace(traceId: string, expectedRequests: number) {
    await stack().waitForRequests(`traceId=${encodeURIComponent(traceId)}`, expectedRequests);
    const { status, body } = await stack().api(`/api/v1/traces/${encodeURIComponent(traceId)}`);
    expect(status).toBe(200);
    return body;
  }

  it("basic example: parent, two children and a grandchild form a three-level tree", async () => {
    const client = stack().openai();
    const parentId = randomUUID();
    const child1Id = randomUUID();
    const child2Id = randomUUID();
    const grandchildId = randomUUID();
    const parent = await client.chat.completions.create(ask("Create a travel plan for Tokyo"), headers(parentId));
    expect(parent.choices[0]!.message.content).toContain("Mock answer to: Create a travel plan for Tokyo");
    await client.chat.completions.create(ask("What are top attractions in Tokyo?"), headers(`${parentId}:${child1Id}`));
    await client.chat.completions.create(ask("What are best restaurants in Tokyo?"), headers(`${parentId}:${child2Id}`));
    await client.chat.completions.create(ask("Tell me about Sukiyabashi Jiro"), headers(`${parentId}:${child2Id}:${grandchildId}`));

    const body = await trace(parentId, 4);
    const byId = Object.fromEntries(body.nodes.map((n: any) => [n.id, n]));
    expect(Object.keys(byId).sort()).toEqual(
      [parentId, `${parentId}:${child1Id}`, `${parentId}:${child2Id}`, `${parentId}:${child2Id}:${grandchildId}`].sort(),
    );
    expect(byId[parentId].parentId).toBeNull();
    expect(byId[`${parentId}:${child1Id}`].parentId).toBe(parentId);
    expect(byId[`${parentId}:${child2Id}:${grandchildId}`].parentId).toBe(`${parentId}:${child2Id}`);
    expect(byId[`${parentId}:${child2Id}:${grandchildId}`].depth).toBe(3);
    expect(body.nodes.every((n: any) => n.virtual === false)).toBe(true);

    const requests = body.nodes.flatMap((n: any) => n.requests);
    const earliest = Math.min(...requests.map((r: any) => Date.parse(r.startTime)));
    const latest = Math.max(...requests.map((r: any) => Date.parse(r.endTime)));
    expect(body.metrics.nodeCount).toBe(4);
    expect(body.metrics.maxDepth).toBe(3);
    expect(body.metrics.successRate).toBe(1);
    expect(body.metrics.totalDurationMs).toBe(latest - earliest);
    expect(body.metrics.costComplete).toBe(true);
    expect(body.metrics.totalCost).toBeCloseTo(requests.reduce((sum: number, r: any) => sum + r.cost, 0), 12);
    // gpt-4: $30 / 1M prompt tokens, $60 / 1M completion tokens
    for (const request of requests) {
      expect(request.cost).toBeCloseTo((request.promptTokens * 30 + request.completionTokens * 60) / 1e6, 12);
    }
  });

  it("agent example: steps hang under a virtual agent node and keep their Step property", async () => {
    const client = stack().openai();
    const agentId = randomUUID();
    const steps = ["planning", "action_0", "action_1", "reflection"];
    for (const step of steps) {
      await client.chat.completions.create(ask(`Do ${step}`), headers(`${agentId}:${randomUUID()}`, { "Helicone-Property-Step": step }));
    }
    const body = await trace(agentId, 4);
    const root = body.nodes.find((n: any) => n.id === agentId);
    expect(root).toMatchObject({ virtual: true, parentId: null, depth: 1, requests: [] });
    const children = body.nodes.filter((n: any) => n.parentId === agentId);
    expect(children.map((n: any) => n.requests[0].properties.step).sort()).toEqual([...steps].sort());
    expect(body.metrics).toMatchObject({ nodeCount: 4, maxDepth: 2, successRate: 1 });
    // Sequential steps: each one gated the next, so all are on the critical path.
    expect(children.every((n: any) => n.onCriticalPath)).toBe(true);

    const planning = await stack().waitForRequests(`traceId=${agentId}&property.step=planning`, 1);
    expect(planning).toHaveLength(1);
  });

  it("RAG example: embedding and generation are siblings, each priced by its own model", async () => {
    const client = stack().openai();
    const traceId = randomUUID();
    const embedding = await client.embeddings.create(
      { model: "text-embedding-3-small", input: "What is quantum computing?" },
      headers(`${traceId}:${randomUUID()}`, { "Helicone-Property-Stage": "embedding" }),
    );
    expect(embedding.data[0]!.embedding.length).toBeGreaterThan(0);
    await client.chat.completions.create(
      {
        model: "gpt-4",
        messages: [
          { role: "system", content: "Answer using the provided context." },
          { role: "user", content: "Context: docs\n\nQuestion: What is quantum computing?" },
        ],
      },
      headers(`${traceId}:${randomUUID()}`, { "Helicone-Property-Stage": "generation" }),
    );
    const body = await trace(traceId, 2);
    const byStage = Object.fromEntries(
      body.nodes.filter((n: any) => !n.virtual).map((n: any) => [n.requests[0].properties.stage, n.requests[0]]),
    );
    expect(byStage.embedding.model).toBe("text-embedding-3-small");
    expect(byStage.embedding.cost).toBeCloseTo((byStage.embedding.promptTokens * 0.02) / 1e6, 14);
    expect(byStage.generation.model).toBe("gpt-4");
    expect(body.metrics).toMatchObject({ nodeCount: 2, maxDepth: 2, successRate: 1, costComplete: true });
  });

  it("parallel example: concurrent children all land under one parent, the slowest on the critical path", async () => {
    const client = stack().openai();
    const parentId = randomUUID();
    const aspects = [
      ["technical", 30],
      ["business", 150],
      ["ethical", 60],
    ] as const;
    await Promise.all(
      aspects.map(([aspect, latency]) =>
        client.chat.completions.create(
          ask(`${aspect} analysis of AI regulation`),
          headers(`${parentId}:${randomUUID()}`, { "Helicone-Property-Aspect": aspect, "x-mock-latency-ms": String(latency) }),
        ),
      ),
    );
    const body = await trace(parentId, 3);
    const children = body.nodes.filter((n: any) => n.parentId === parentId);
    expect(children).toHaveLength(3);
    const critical = children.filter((n: any) => n.onCriticalPath).map((n: any) => n.requests[0].properties.aspect);
    expect(critical).toEqual(["business"]);
    const sumOfLatencies = children.reduce((sum: number, n: any) => sum + n.requests[0].latencyMs, 0);
    expect(body.metrics.totalDurationMs).toBeLessThan(sumOfLatencies);
    expect(body.metrics.totalDurationMs).toBeGreaterThanOrEqual(150);
  });

  it("a failing branch lowers the success rate and is named in the tree", async () => {
    const client = stack().openai();
    const parentId = randomUUID();
    await client.chat.completions.create(ask("plan"), headers(parentId));
    await expect(
      client.chat.completions.create(ask("fail"), headers(`${parentId}:broken`, { "x-mock-error-status": "500" })),
    ).rejects.toMatchObject({ status: 500 });
    const body = await trace(parentId, 2);
    const broken = body.nodes.find((n: any) => n.id === `${parentId}:broken`);
    expect(broken.requests[0].status).toBe(500);
    expect(broken.requests[0].errorReason).toBeTruthy();
    expect(body.metrics.successRate).toBe(0.5);
  });
});
