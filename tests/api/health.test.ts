import { expect, it } from "vitest";
import { describeOnEachDatabase } from "../helpers/test-stack";

describeOnEachDatabase("health endpoint", (stack) => {
  it("reports a reachable database and the log queue, whose written count follows the traffic", async () => {
    const before = await (await fetch(`${stack().app.url}/api/health`)).json();
    expect(before.status).toBe("ok");
    expect(before.database).toMatchObject({ kind: stack().kind, reachable: true });
    expect(before.logQueue).toMatchObject({ queued: 0, dropped: 0 });

    await stack().openai().chat.completions.create({ model: "gpt-4o-mini", messages: [{ role: "user", content: "ping" }] });
    await stack().waitForRequests("model=gpt-4o-mini", 1);
    const after = await (await fetch(`${stack().app.url}/api/health`)).json();
    expect(after.logQueue.written).toBe(before.logQueue.written + 1);
  });
});
