/**
 * Data the browser tests look for, sent through the real proxy with the openai SDK on top of the
 * demo traffic: one known trace (property suite=e2e-main) with a failed node and a virtual
 * ancestor, and requests whose prompt, property values and node id carry script payloads
 * (suite=e2e-xss).
 */
import OpenAI from "openai";

export const MAIN_SUITE = "e2e-main";
export const XSS_SUITE = "e2e-xss";
/** Runs only if the page turned logged text into markup. */
export const XSS_PAYLOAD = `<img src=x onerror="window.__xss=1"><script>window.__xss=2</script><a href="javascript:window.__xss=3">click</a> ![tracker](https://evil.example/pixel.png) https://evil.example/page`;

export interface SeededTraces {
  mainTraceId: string;
  xssTraceId: string;
}

export async function seedE2eTraffic(baseUrl: string, apiKey: string): Promise<SeededTraces> {
  const client = new OpenAI({ apiKey: "sk-e2e-provider", baseURL: `${baseUrl}/v1`, defaultHeaders: { "Helicone-Auth": `Bearer ${apiKey}` }, maxRetries: 0 });
  const ask = (content: string, headers: Record<string, string>) =>
    client.chat.completions.create({ model: "gpt-4o-mini", messages: [{ role: "user", content }] }, { headers }).catch((error: unknown) => {
      if (!(error instanceof OpenAI.APIError)) throw error;
    });

  const mainTraceId = `e2e-trip-${Date.now().toString(36)}`;
  const main = (step: string, latency: number, extra: Record<string, string> = {}) => ({
    "Helicone-Property-Suite": MAIN_SUITE,
    "Helicone-Property-Step": step,
    "x-mock-latency-ms": String(latency),
    ...extra,
  });
  // The root is never logged itself: it becomes a virtual node.
  await ask("Plan a trip to Kyoto", { ...main("plan", 220), "Helicone-Node-Id": `${mainTraceId}:plan` });
  await Promise.all([
    ask("Find hotels in Kyoto", { ...main("hotels", 340), "Helicone-Node-Id": `${mainTraceId}:plan:hotels` }),
    ask("Find restaurants in Kyoto", { ...main("restaurants", 150), "Helicone-Node-Id": `${mainTraceId}:plan:restaurants` }),
    ask("Book a tea ceremony", { ...main("booking", 90, { "x-mock-error-status": "503" }), "Helicone-Node-Id": `${mainTraceId}:plan:booking` }),
  ]);
  await ask("Write the itinerary", { ...main("itinerary", 260), "Helicone-Node-Id": `${mainTraceId}:itinerary` });

  const xssTraceId = `e2e-xss-${Date.now().toString(36)}`;
  const xss = { "Helicone-Property-Suite": XSS_SUITE, "Helicone-Property-Step": `<img src=x onerror="window.__xss=4">`, "x-mock-latency-ms": "30" };
  await ask(XSS_PAYLOAD, { ...xss, "Helicone-Node-Id": xssTraceId, "Helicone-User-Id": `<b onmouseover="window.__xss=5">mallory</b>` });
  await ask(XSS_PAYLOAD, { ...xss, "Helicone-Node-Id": `${xssTraceId}:<svg onload="window.__xss=6">` });
  return { mainTraceId, xssTraceId };
}
