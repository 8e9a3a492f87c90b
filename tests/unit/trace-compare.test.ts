import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { ComparedNode, NodeChange, TraceCompareResponse } from "@/lib/contracts/trace-compare";
import type { ExchangeText } from "@/lib/domain/exchange-text";
import { roundUsd } from "@/lib/domain/money";
import { impliedParentOf } from "@/lib/domain/node-id";
import { alignTraces, compareTraces, contentRequests, isLatencyChange, nodePaths, type ComparableRequest } from "@/lib/domain/trace-compare";
import { computeTraceMetrics } from "@/lib/domain/trace-metrics";
import { buildTraceTree } from "@/lib/domain/trace-tree";

/** A logged request with the prompt and answer text the comparison reads through `contentOf`. */
interface Logged extends ComparableRequest {
  text: string;
}

function compare(traceA: string, a: readonly Logged[], traceB: string, b: readonly Logged[]): TraceCompareResponse {
  const texts = new Map([...a, ...b].map((r) => [r.id, { prompt: r.text, answer: "" } satisfies ExchangeText]));
  const side = (traceId: string, requests: readonly Logged[]) => {
    const tree = buildTraceTree(requests);
    return { traceId, tree, metrics: computeTraceMetrics(tree) };
  };
  return compareTraces(side(traceA, a), side(traceB, b), (id) => texts.get(id));
}

let nextId = 0;
function call(nodeId: string, parentNodeId: string | null, startMs: number, endMs: number, extra: Partial<Logged> = {}): Logged {
  return {
    id: `r${nextId++}`,
    nodeId,
    parentNodeId,
    status: 200,
    startMs,
    endMs,
    costUsd: 0.001,
    costUnknown: false,
    cancelled: false,
    model: "gpt-4o-mini",
    path: "/v1/chat/completions",
    promptTokens: 10,
    completionTokens: 5,
    text: "same prompt",
    ...extra,
  };
}
const helicone = (nodeId: string, startMs: number, endMs: number, extra: Partial<Logged> = {}) => call(nodeId, impliedParentOf(nodeId), startMs, endMs, extra);
const span = (spanId: string, parent: string | null, name: string, startMs: number, endMs: number, extra: Partial<Logged> = {}) =>
  call(spanId, parent, startMs, endMs, { path: name, ...extra });

const byPath = (result: TraceCompareResponse) => new Map(result.nodes.map((node) => [node.path, node]));

describe("comparing two traces: examples", () => {
  it("yesterday's and today's run of an agent align by node path, whatever their trace ids", () => {
    const yesterday = [helicone("run-1:plan", 0, 100), helicone("run-1:plan:search", 100, 300), helicone("run-1:plan:cleanup", 300, 350)];
    const today = [
      helicone("run-2:plan", 0, 100),
      helicone("run-2:plan:search", 100, 700, { status: 500, model: "gpt-4o", costUsd: 0.004, text: "changed prompt" }),
      helicone("run-2:plan:review", 700, 750),
    ];
    const result = compare("run-1", yesterday, "run-2", today);
    expect(result.nodes.map((n) => [n.path, n.parentPath, n.depth, n.status])).toEqual([
      ["", null, 1, "same"],
      ["plan", "", 2, "same"],
      ["plan:search", "plan", 3, "changed"],
      // only in b, after search there: it follows search here too
      ["plan:review", "plan", 3, "added"],
      ["plan:cleanup", "plan", 3, "removed"],
    ]);
    const search = byPath(result).get("plan:search")!;
    expect(search.changes).toEqual(["status", "model", "cost", "content", "latency"]);
    expect(search.deltas).toEqual({ latencyMs: 400, cost: 0.003, promptTokens: 0, completionTokens: 0, statusCode: 300 });
    expect(search.contentChanged).toBe(true);
    expect(search.a).toMatchObject({ nodeId: "run-1:plan:search", statusCode: 200, model: "gpt-4o-mini" });
    expect(search.b).toMatchObject({ nodeId: "run-2:plan:search", statusCode: 500, model: "gpt-4o" });
    const removed = byPath(result).get("plan:cleanup")!;
    expect(removed).toMatchObject({ a: { nodeId: "run-1:plan:cleanup" }, b: null, contentChanged: null, changes: [] });
    expect(removed.deltas).toEqual({ latencyMs: null, cost: null, promptTokens: null, completionTokens: null, statusCode: null });
    expect(result.deltas).toMatchObject({ totalCost: 0.003, totalDurationMs: 400, nodeCount: 0, maxDepth: 0, successRate: 2 / 3 - 1 });
  });

  it("latency counts as changed only beyond max(100 ms, 20 %) of a's", () => {
    expect(isLatencyChange(200, 300)).toBe(false);
    expect(isLatencyChange(200, 301)).toBe(true);
    expect(isLatencyChange(200, 99)).toBe(true);
    expect(isLatencyChange(1000, 1200)).toBe(false);
    expect(isLatencyChange(1000, 1201)).toBe(true);
    expect(isLatencyChange(1000, 799)).toBe(true);
    expect(isLatencyChange(null, 5000)).toBe(false);
  });

  it("OTLP spans align by their chain of span names, same-named siblings by start order", () => {
    const a = [span("a1", null, "agent", 0, 500), span("a2", "a1", "chat", 10, 100), span("a3", "a1", "tool", 100, 150), span("a4", "a1", "chat", 150, 300)];
    const b = [span("b1", null, "agent", 0, 500), span("b2", "b1", "chat", 10, 100), span("b4", "b1", "chat", 150, 300, { text: "other answer" })];
    const result = compare("trace-a", a, "trace-b", b);
    expect(result.nodes.map((n) => [n.path, n.status])).toEqual([
      ["agent[0]", "same"],
      ["agent[0] > chat[0]", "same"],
      ["agent[0] > tool[0]", "removed"],
      ["agent[0] > chat[1]", "changed"],
    ]);
    expect(byPath(result).get("agent[0] > chat[1]")!.changes).toEqual(["content"]);
  });

  it("a span below a Helicone node hangs from its path; a span whose parent never arrived hangs from a virtual one", () => {
    const requests = [helicone("t:plan", 0, 100), span("s1", "t:plan", "retrieve", 10, 20), span("s2", "gone", "chat", 30, 40)];
    const paths = nodePaths("t", buildTraceTree(requests));
    expect(Object.fromEntries(paths)).toEqual({ t: "", "t:plan": "plan", s1: "plan > retrieve[0]", gone: "(not logged)[0]", s2: "(not logged)[0] > chat[0]" });
  });

  it("a Helicone path spelt like a span chain still gets a path of its own", () => {
    const requests = [helicone("t:chat[0]", 0, 10), span("s1", null, "chat", 20, 30)];
    const paths = [...nodePaths("t", buildTraceTree(requests)).values()];
    expect(new Set(paths).size).toBe(paths.length);
    expect(paths).toEqual(expect.arrayContaining(["chat[0]", "chat[0]#2"]));
  });

  it("a sibling only in b comes right after the sibling it follows in b", () => {
    const a = [helicone("x:one", 0, 10), helicone("x:three", 20, 30)];
    const b = [helicone("y:zero", 0, 5), helicone("y:one", 5, 10), helicone("y:two", 10, 20), helicone("y:three", 20, 30)];
    expect(compare("x", a, "y", b).nodes.map((n) => n.path)).toEqual(["", "zero", "one", "two", "three"]);
  });

  it("retries: attempts are summed, the last one stands for status, model and content", () => {
    const a = [helicone("x:step", 0, 100, { status: 500, text: "first try" }), helicone("x:step", 100, 200, { text: "answer" })];
    const b = [helicone("y:step", 0, 100, { text: "answer" })];
    const step = byPath(compare("x", a, "y", b)).get("step")!;
    expect(step.a).toMatchObject({ requestCount: 2, statusCode: 200, latencyMs: 200, cost: 0.002, promptTokens: 20 });
    expect(step.changes).toEqual(["cost", "tokens"]);
    expect(step.contentChanged).toBe(false);
  });

  it("contentRequests names the standing attempt of each side of every node in both traces", () => {
    const a = [helicone("x:step", 0, 100), helicone("x:step", 100, 200), helicone("x:gone", 0, 5)];
    const b = [helicone("y:step", 0, 100), helicone("y:new", 0, 5)];
    const sides = (traceId: string, requests: Logged[]) => {
      const tree = buildTraceTree(requests);
      return { traceId, tree, metrics: computeTraceMetrics(tree) };
    };
    expect(contentRequests(alignTraces(sides("x", a), sides("y", b)))).toEqual([a[1], b[0]]);
  });
});

// ---------------------------------------------------------------- random traces against an oracle

const SEGMENTS = ["plan", "search", "answer"];
const SPAN_NAMES = ["chat", "tool"];

/** The shape a run may have: Helicone paths and spans (a span's parent: an earlier span, a missing one, or none). */
type Slot = { kind: "helicone"; segments: string[] } | { kind: "span"; key: number; parent: number | "missing" | null; name: string };

const slotsArbitrary: fc.Arbitrary<Slot[]> = fc
  .tuple(
    fc.uniqueArray(fc.array(fc.constantFrom(...SEGMENTS), { minLength: 0, maxLength: 3 }), { selector: (s) => s.join(":"), maxLength: 8 }),
    fc.array(fc.record({ parent: fc.oneof(fc.constant(null), fc.constant("missing" as const), fc.nat(6)), name: fc.constantFrom(...SPAN_NAMES) }), { maxLength: 6 }),
  )
  .map(([paths, spans]) => [
    ...paths.map((segments): Slot => ({ kind: "helicone", segments })),
    ...spans.map((s, key): Slot => ({ kind: "span", key, parent: typeof s.parent === "number" && s.parent < key ? s.parent : typeof s.parent === "number" ? null : s.parent, name: s.name })),
  ]);

const attemptArbitrary = fc.record({
  startMs: fc.integer({ min: 0, max: 1_000 }),
  durationMs: fc.constantFrom(0, 50, 120, 400, 2_000),
  status: fc.constantFrom(200, 200, 500, 0),
  costUsd: fc.constantFrom(null, 0, 0.001, 0.0025),
  costUnknown: fc.boolean(),
  model: fc.constantFrom("gpt-4o", "gpt-4o-mini", null),
  promptTokens: fc.constantFrom(null, 10, 30),
  completionTokens: fc.constantFrom(null, 5),
  text: fc.constantFrom("hello", "hi"),
});

/** One run of the shape: which slots it logged, with 1–2 attempts each. */
function runArbitrary(slots: Slot[]) {
  return fc.array(fc.option(fc.array(attemptArbitrary, { minLength: 1, maxLength: 2 }), { freq: 3 }), { minLength: slots.length, maxLength: slots.length });
}

let runCounter = 0;
type Attempt = typeof attemptArbitrary extends fc.Arbitrary<infer T> ? T : never;

function toRequests(traceId: string, slots: Slot[], run: Array<Attempt[] | null>): Logged[] {
  const label = `${traceId}-${runCounter++}`;
  const spanId = (key: number | "missing") => `span-${label}-${key}`;
  const requests: Logged[] = [];
  slots.forEach((slot, i) => {
    for (const attempt of run[i] ?? []) {
      const common = { ...attempt, cancelled: false, endMs: attempt.startMs + attempt.durationMs, id: `${label}-${nextId++}` };
      if (slot.kind === "helicone") {
        const nodeId = [traceId, ...slot.segments].join(":");
        requests.push({ ...common, nodeId, parentNodeId: impliedParentOf(nodeId), path: "/v1/chat/completions" });
      } else {
        requests.push({ ...common, nodeId: spanId(slot.key), parentNodeId: slot.parent === null ? null : spanId(slot.parent), path: slot.name });
      }
    }
  });
  return requests;
}

const pairArbitrary = slotsArbitrary.chain((slots) => fc.tuple(fc.constant(slots), runArbitrary(slots), runArbitrary(slots))).map(([slots, runA, runB]) => ({
  a: toRequests("trace-a", slots, runA),
  b: toRequests("trace-b", slots, runB),
}));

const shuffled = <T>(list: T[]) => fc.shuffledSubarray(list, { minLength: list.length, maxLength: list.length });

/**
 * Brute force, straight from the requests: the nodes (logged ids and every ancestor they imply),
 * each one's parent, its subtree's first start, and its path by walking up.
 */
function oraclePaths(traceId: string, requests: readonly Logged[]): Map<string, { path: string; parent: string | null }> {
  const parentOf = new Map<string, string | null>();
  for (const r of requests) if (!parentOf.has(r.nodeId) || parentOf.get(r.nodeId) === null) parentOf.set(r.nodeId, r.parentNodeId);
  let grew = true;
  while (grew) {
    grew = false;
    for (const parent of [...parentOf.values()]) {
      if (parent !== null && !parentOf.has(parent)) {
        parentOf.set(parent, impliedParentOf(parent));
        grew = true;
      }
    }
  }
  const isUnder = (node: string, ancestor: string): boolean => {
    for (let at: string | null = node; at !== null; at = parentOf.get(at)!) if (at === ancestor) return true;
    return false;
  };
  const subtreeStart = (node: string) => Math.min(...requests.filter((r) => isUnder(r.nodeId, node)).map((r) => r.startMs));
  const siblingOrder = (x: string, y: string) => subtreeStart(x) - subtreeStart(y) || (x < y ? -1 : x > y ? 1 : 0);
  const nameOf = (node: string) => {
    const own = requests.filter((r) => r.nodeId === node).sort((x, y) => x.startMs - y.startMs || (x.id < y.id ? -1 : 1));
    return own[0]?.path ?? "(not logged)";
  };
  const isHelicone = (node: string) => node === traceId || node.startsWith(`${traceId}:`);
  const pathOf = (node: string): string => {
    if (isHelicone(node)) return node === traceId ? "" : node.slice(traceId.length + 1);
    const parent = parentOf.get(node)!;
    const sameNamed = [...parentOf.keys()].filter((other) => parentOf.get(other) === parent && !isHelicone(other) && nameOf(other) === nameOf(node));
    const index = sameNamed.filter((other) => siblingOrder(other, node) < 0).length;
    const parentPath = parent === null ? "" : pathOf(parent);
    return `${parentPath}${parentPath === "" ? "" : " > "}${nameOf(node)}[${index}]`;
  };
  return new Map([...parentOf.keys()].map((node) => [node, { path: pathOf(node), parent: parentOf.get(node)! }]));
}

/** What changed between two nodes' own requests, computed from the requests alone. */
function oracleChanges(a: Logged[], b: Logged[]): NodeChange[] {
  const standing = (list: Logged[]) => [...list].sort((x, y) => x.startMs - y.startMs || (x.id < y.id ? -1 : 1)).at(-1);
  const sum = (list: Logged[], pick: (r: Logged) => number | null) => (list.every((r) => pick(r) === null) ? null : list.reduce((s, r) => s + (pick(r) ?? 0), 0));
  const latency = (list: Logged[]) => (list.length === 0 ? null : Math.max(...list.map((r) => r.endMs)) - Math.min(...list.map((r) => r.startMs)));
  const cost = (list: Logged[]) => {
    const total = sum(list, (r) => r.costUsd);
    return total === null ? null : roundUsd(total);
  };
  const [sa, sb] = [standing(a), standing(b)];
  const changes: NodeChange[] = [];
  if (sa?.status !== sb?.status) changes.push("status");
  if ((sa?.model ?? null) !== (sb?.model ?? null)) changes.push("model");
  if (cost(a) !== cost(b) || a.some((r) => r.costUnknown) !== b.some((r) => r.costUnknown)) changes.push("cost");
  if (sum(a, (r) => r.promptTokens) !== sum(b, (r) => r.promptTokens) || sum(a, (r) => r.completionTokens) !== sum(b, (r) => r.completionTokens)) changes.push("tokens");
  if ((sa === undefined) !== (sb === undefined) || (sa && sb && sa.text !== sb.text)) changes.push("content");
  const [la, lb] = [latency(a), latency(b)];
  if (la !== null && lb !== null && Math.abs(lb - la) > Math.max(100, 0.2 * la)) changes.push("latency");
  return changes;
}

function expectWellFormed(nodes: ComparedNode[]): void {
  const seen = new Map<string, ComparedNode>();
  for (const node of nodes) {
    expect(seen.has(node.path), `path ${node.path} twice`).toBe(false);
    if (node.parentPath === null) expect(node.depth).toBe(1);
    else {
      const parent = seen.get(node.parentPath);
      expect(parent, `parent of ${node.path} comes first`).toBeDefined();
      expect(node.depth).toBe(parent!.depth + 1);
    }
    seen.set(node.path, node);
  }
}

describe("comparing two traces: random traces against a brute-force oracle", () => {
  it("a trace compared with itself is the same everywhere, with zero deltas", () => {
    fc.assert(
      fc.property(pairArbitrary, ({ a }) => {
        const result = compare("trace-a", a, "trace-a", a);
        expect(result.nodes.length).toBe(buildTraceTree(a).nodes.length);
        for (const node of result.nodes) {
          expect(node.status).toBe("same");
          expect(node.contentChanged).toBe(false);
          const { latencyMs, cost, promptTokens, completionTokens, statusCode } = node.a!;
          const values = { latencyMs, cost, promptTokens, completionTokens, statusCode };
          for (const [key, value] of Object.entries(values)) expect(node.deltas[key as keyof typeof values], key).toBe(value === null ? null : 0);
        }
        expect(Object.values(result.deltas).every((delta) => delta === 0)).toBe(true);
      }),
    );
  });

  it("the same run under another trace id, hours later, is the same everywhere", () => {
    fc.assert(
      fc.property(pairArbitrary, ({ a }) => {
        const later = a.map((r) => ({
          ...r,
          id: `later-${r.id}`,
          nodeId: r.nodeId.replace(/^trace-a(?=:|$)/, "trace-z"),
          parentNodeId: r.parentNodeId?.replace(/^trace-a(?=:|$)/, "trace-z") ?? null,
          startMs: r.startMs + 3_600_000,
          endMs: r.endMs + 3_600_000,
        }));
        const result = compare("trace-a", a, "trace-z", later);
        expect(result.nodes.filter((n) => n.status !== "same")).toEqual([]);
      }),
    );
  });

  it("arrival order changes nothing", () => {
    fc.assert(
      fc.property(
        pairArbitrary.chain(({ a, b }) => fc.tuple(fc.constant({ a, b }), shuffled(a), shuffled(b))),
        ([{ a, b }, shuffledA, shuffledB]) => {
          expect(compare("trace-a", shuffledA, "trace-b", shuffledB)).toEqual(compare("trace-a", a, "trace-b", b));
        },
      ),
    );
  });

  it("paths, added and removed nodes, parents and each node's changes match the oracle", () => {
    fc.assert(
      fc.property(pairArbitrary, ({ a, b }) => {
        const result = compare("trace-a", a, "trace-b", b);
        const pathsA = oraclePaths("trace-a", a);
        const pathsB = oraclePaths("trace-b", b);
        const setA = new Set([...pathsA.values()].map((p) => p.path));
        const setB = new Set([...pathsB.values()].map((p) => p.path));
        expect(new Set(result.nodes.map((n) => n.path))).toEqual(new Set([...setA, ...setB]));
        expect(new Set(result.nodes.filter((n) => n.status === "added").map((n) => n.path))).toEqual(new Set([...setB].filter((p) => !setA.has(p))));
        expect(new Set(result.nodes.filter((n) => n.status === "removed").map((n) => n.path))).toEqual(new Set([...setA].filter((p) => !setB.has(p))));
        expectWellFormed(result.nodes);

        const nodeOf = (paths: typeof pathsA, path: string) => [...paths].find(([, p]) => p.path === path);
        for (const node of result.nodes) {
          const inA = nodeOf(pathsA, node.path);
          const inB = nodeOf(pathsB, node.path);
          expect(node.a?.nodeId ?? null).toBe(inA?.[0] ?? null);
          expect(node.b?.nodeId ?? null).toBe(inB?.[0] ?? null);
          const parentId = inA ? inA[1].parent : inB![1].parent;
          const parentPaths = inA ? pathsA : pathsB;
          expect(node.parentPath).toBe(parentId === null ? null : parentPaths.get(parentId)!.path);
          if (inA && inB) {
            const changes = oracleChanges(
              a.filter((r) => r.nodeId === inA[0]),
              b.filter((r) => r.nodeId === inB[0]),
            );
            expect(node.changes, node.path).toEqual(changes);
            expect(node.status).toBe(changes.length > 0 ? "changed" : "same");
          }
        }
      }),
      { numRuns: 200 },
    );
  });

  it("every delta is b − a: swapping the traces swaps added and removed and negates the deltas", () => {
    fc.assert(
      fc.property(pairArbitrary, ({ a, b }) => {
        const forward = compare("trace-a", a, "trace-b", b);
        const backward = byPath(compare("trace-b", b, "trace-a", a));
        const swapped = { added: "removed", removed: "added" } as const;
        // Latency is measured against a's: only it may change sides' verdict.
        const withoutLatency = (changes: NodeChange[]) => changes.filter((change) => change !== "latency");
        for (const node of forward.nodes) {
          const other = backward.get(node.path)!;
          if (node.status === "added" || node.status === "removed") expect(other.status).toBe(swapped[node.status]);
          else expect(withoutLatency(other.changes)).toEqual(withoutLatency(node.changes));
          for (const key of ["promptTokens", "completionTokens", "statusCode", "latencyMs"] as const) expect(other.deltas[key]).toBe(node.deltas[key] === null ? null : 0 - node.deltas[key]);
          if (node.deltas.cost === null) expect(other.deltas.cost).toBeNull();
          else expect(Math.abs(other.deltas.cost! + node.deltas.cost)).toBeLessThan(1e-12);
          if (node.a && node.b) expect(node.deltas.latencyMs).toBe(node.a.latencyMs === null || node.b.latencyMs === null ? null : node.b.latencyMs - node.a.latencyMs);
        }
        const metricsA = computeTraceMetrics(buildTraceTree(a));
        const metricsB = computeTraceMetrics(buildTraceTree(b));
        expect(forward.deltas).toEqual({
          totalCost: roundUsd(metricsB.totalCost - metricsA.totalCost),
          totalDurationMs: metricsB.totalDurationMs - metricsA.totalDurationMs,
          nodeCount: metricsB.nodeCount - metricsA.nodeCount,
          maxDepth: metricsB.maxDepth - metricsA.maxDepth,
          successRate: metricsB.successRate - metricsA.successRate,
          wastedCost: roundUsd(metricsB.wastedCost - metricsA.wastedCost),
          wastedDurationMs: metricsB.wastedDurationMs - metricsA.wastedDurationMs,
        });
      }),
    );
  });
});
