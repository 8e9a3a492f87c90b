import { CARD_HANDLES } from "../../components/trace/to-flow-elements";
import { formatDuration, formatUsd } from "../../components/ui/format";
import { e2eEnv } from "./environment";
import { expect, screenshot, test } from "./fixtures";
import { MAIN_SUITE } from "./seed";

test.describe("viewing traces: Requests → trace icon → tree → node details", () => {
  test.use({ storageState: { cookies: [], origins: [] } });

  test("a signed-out visitor logs in, opens a trace from the Requests page and reads a node's cost and latency", async ({ page, apiGet }) => {
    await page.goto("/");
    await expect(page).toHaveURL(/\/login/);
    await page.getByLabel("E-mail").fill("admin@e2e.test");
    await page.getByLabel("Password").fill("e2e-correct-horse-battery");
    await page.getByRole("button", { name: "Sign in" }).click();
    await expect(page).toHaveURL(/\/dashboard$/);
    await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Requests" }).click();
    await expect(page).toHaveURL(/\/requests$/);

    const row = page.getByRole("row").filter({ hasText: `suite=${MAIN_SUITE}` }).filter({ hasText: "step=itinerary" });
    await row.getByRole("button", { name: "Open trace" }).click();
    const traceId = e2eEnv("E2E_MAIN_TRACE_ID");
    await expect(page).toHaveURL(new RegExp(`/traces/${traceId}`));

    const trace = await apiGet(`/api/v1/traces/${traceId}`);
    const cards = page.locator(".react-flow__node [data-node-id]");
    await expect(cards).toHaveCount(trace.nodes.length);
    const shown = await cards.evaluateAll((elements) => elements.map((e) => e.getAttribute("data-node-id")));
    expect(shown.sort()).toEqual(trace.nodes.map((n: { id: string }) => n.id).sort());
    await expect(page.locator(`[data-node-id="${traceId}"]`)).toHaveAttribute("data-status", "virtual");
    await expect(page.locator(`[data-node-id="${traceId}:plan:booking"]`)).toHaveAttribute("data-status", "error");

    // The cards draw their handles where React Flow is told they are (else the edges drawn in the
    // first frame would move once the cards are measured), and every parent link joins its two
    // cards: from the middle of the parent's bottom edge to the middle of the child's top edge.
    const handles = await page.locator(`.react-flow__node[data-id="${traceId}"]`).evaluate((card) => {
      const box = card.getBoundingClientRect();
      const zoom = box.width / (card as HTMLElement).offsetWidth;
      return [...card.querySelectorAll(".react-flow__handle")].map((handle) => {
        const at = handle.getBoundingClientRect();
        return [at.x - box.x, at.y - box.y, at.width, at.height].map((length) => Math.round(length / zoom));
      });
    });
    expect(handles).toEqual(CARD_HANDLES.map((handle) => [handle.x, handle.y, handle.width, handle.height]));
    await expect(page.locator(".react-flow__edge")).toHaveCount(trace.nodes.length - 1);
    const misplaced = await page.locator(".react-flow__edge").evaluateAll((edges) =>
      edges.flatMap((edge) => {
        const [source, target] = edge.getAttribute("data-id")!.split("\u2192");
        const from = document.querySelector(`.react-flow__node[data-id="${source}"]`)!.getBoundingClientRect();
        const to = document.querySelector(`.react-flow__node[data-id="${target}"]`)!.getBoundingClientRect();
        const path = edge.querySelector("path.react-flow__edge-path") as SVGPathElement;
        const screen = (at: number) => new DOMPoint(path.getPointAtLength(at).x, path.getPointAtLength(at).y).matrixTransform(path.getScreenCTM()!);
        const start = screen(0);
        const end = screen(path.getTotalLength());
        const near = (a: number, b: number) => Math.abs(a - b) <= 3;
        const ok = near(start.x, from.x + from.width / 2) && near(start.y, from.bottom) && near(end.x, to.x + to.width / 2) && near(end.y, to.top);
        return ok ? [] : [edge.getAttribute("data-id")];
      }),
    );
    expect(misplaced).toEqual([]);

    const hotels = trace.nodes.find((n: { id: string }) => n.id === `${traceId}:plan:hotels`);
    await page.locator(`[data-node-id="${hotels.id}"]`).click();
    const details = page.getByRole("complementary", { name: "Node details" });
    await expect(details).toBeVisible();
    await expect(details.getByTestId("node-cost")).toHaveText(formatUsd(hotels.requests[0].cost));
    await expect(details.getByTestId("node-latency")).toHaveText(formatDuration(hotels.selfLatencyMs));
    await expect(details.getByLabel("Conversation")).toContainText("Find hotels in Kyoto");
    await expect(page).toHaveURL(new RegExp(`node=${encodeURIComponent(hotels.id)}`));
    await screenshot(page, "trace-view");

    await page.getByRole("tab", { name: "Timeline" }).click();
    await expect(page.getByLabel("Trace timeline").getByRole("listitem")).toHaveCount(trace.nodes.length);
    await screenshot(page, "trace-timeline");
  });
});

test("the trace page keeps the selected node in the URL, and the header shows the five metrics", async ({ page, apiGet }) => {
  const traceId = e2eEnv("E2E_MAIN_TRACE_ID");
  const trace = await apiGet(`/api/v1/traces/${traceId}`);
  await page.goto(`/traces/${traceId}?node=${encodeURIComponent(`${traceId}:itinerary`)}`);
  await expect(page.getByRole("complementary", { name: "Node details" })).toContainText("itinerary");
  const metrics = page.getByLabel("Trace metrics");
  await expect(metrics).toContainText(formatUsd(trace.metrics.totalCost));
  await expect(metrics).toContainText(formatDuration(trace.metrics.totalDurationMs));
  await expect(metrics).toContainText(`Node count${trace.metrics.nodeCount}`);
  await expect(metrics).toContainText(`Max depth${trace.metrics.maxDepth}`);
  await expect(metrics).toContainText("80%");
});

test("keyboard: arrows walk the tree, Esc closes the panel, and search jumps to a match", async ({ page }) => {
  const traceId = e2eEnv("E2E_MAIN_TRACE_ID");
  await page.goto(`/traces/${traceId}?node=${encodeURIComponent(`${traceId}:plan`)}`);
  const details = page.getByRole("complementary", { name: "Node details" });
  await expect(details).toContainText(`${traceId}:plan`);
  // Siblings started together, so which one comes first is up to the clock: check the moves, not names.
  await page.locator("body").press("ArrowDown");
  await expect(page).toHaveURL(new RegExp(`node=${encodeURIComponent(`${traceId}:plan:`)}`));
  const firstChild = new URL(page.url()).searchParams.get("node");
  await page.locator("body").press("ArrowRight");
  await expect(page).not.toHaveURL(new RegExp(`node=${encodeURIComponent(firstChild!)}$`));
  await expect(page).toHaveURL(new RegExp(`node=${encodeURIComponent(`${traceId}:plan:`)}`));
  await page.locator("body").press("ArrowUp");
  await expect(page).toHaveURL(new RegExp(`node=${encodeURIComponent(`${traceId}:plan`)}$`));
  await page.locator("body").press("Escape");
  await expect(details).toHaveCount(0);

  await page.getByLabel("Search in trace").fill("booking");
  await page.getByLabel("Search in trace").press("Enter");
  await expect(details).toContainText(`${traceId}:plan:booking`);
  await expect(details).toContainText("503");
});

test("the trace's data is asked for by the page's HTML, once: the view's own fetch is answered by that request", async ({ page }) => {
  const traceId = e2eEnv("E2E_MAIN_TRACE_ID");
  const traceRequests: string[] = [];
  page.on("request", (request) => {
    if (new URL(request.url()).pathname === `/api/v1/traces/${traceId}`) traceRequests.push(request.resourceType());
  });
  await page.goto(`/traces/${traceId}`);
  await expect(page.locator(`[data-node-id="${traceId}"]`)).toBeVisible();
  const initiators = await page.evaluate(
    (path) => performance.getEntriesByType("resource").filter((entry) => new URL(entry.name).pathname === path).map((entry) => (entry as PerformanceResourceTiming).initiatorType),
    `/api/v1/traces/${traceId}`,
  );
  expect(initiators).toEqual(["link"]);
  expect(traceRequests).toHaveLength(1);
});
