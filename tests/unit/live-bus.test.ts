import { describe, expect, it } from "vitest";
import { InProcessLiveBus, type StoredRequest } from "@/lib/live/live-bus";

const stored = (organizationId: string, id: string, traceId: string | null): StoredRequest => ({
  organizationId,
  event: { id, traceId, nodeId: traceId && `${traceId}:${id}`, parentNodeId: traceId, sessionId: null, source: "proxy", provider: "openai", model: null, status: 200, startTime: new Date(0).toISOString(), latencyMs: 1 },
});

describe("in-process live bus", () => {
  it("a trace's subscriber hears its trace's requests of its organization only, a batch in one call", () => {
    const bus = new InProcessLiveBus();
    const calls: string[][] = [];
    bus.subscribe({ organizationId: "a", traceId: "t1" }, (requests) => calls.push(requests.map((r) => r.event.id)));
    bus.publish([stored("a", "1", "t1"), stored("a", "2", "t2"), stored("b", "3", "t1"), stored("a", "4", "t1"), stored("a", "5", null)]);
    expect(calls).toEqual([["1", "4"]]);
  });

  it("an organization's subscriber hears every request of its organization, traced or not, and nothing of another", () => {
    const bus = new InProcessLiveBus();
    const heard: string[] = [];
    bus.subscribe({ organizationId: "a" }, (requests) => heard.push(...requests.map((r) => r.event.id)));
    bus.publish([stored("a", "1", "t1"), stored("b", "2", "t1"), stored("a", "3", null)]);
    expect(heard).toEqual(["1", "3"]);
  });

  it("unsubscribing stops that subscription only, however often it is called", () => {
    const bus = new InProcessLiveBus();
    const heard: string[] = [];
    const listener = (requests: readonly StoredRequest[]) => heard.push(...requests.map((r) => r.event.id));
    const first = bus.subscribe({ organizationId: "a", traceId: "t" }, listener);
    bus.subscribe({ organizationId: "a", traceId: "t" }, listener);
    first();
    first();
    bus.publish([stored("a", "1", "t")]);
    expect(heard).toEqual(["1"]);
  });

  it("a subscriber that throws keeps neither the others nor the publisher from going on", () => {
    const bus = new InProcessLiveBus();
    const heard: string[] = [];
    const quiet = console.error;
    console.error = () => {};
    try {
      bus.subscribe({ organizationId: "a" }, () => {
        throw new Error("stream gone");
      });
      bus.subscribe({ organizationId: "a" }, (requests) => heard.push(...requests.map((r) => r.event.id)));
      expect(() => bus.publish([stored("a", "1", null)])).not.toThrow();
    } finally {
      console.error = quiet;
    }
    expect(heard).toEqual(["1"]);
  });
});
