import { test as base, expect, type Page } from "@playwright/test";
import { ARTIFACTS, e2eEnv } from "./environment";

/** Playwright's test with the app's URL (known only once the global setup started it). */
export const test = base.extend<{ apiGet: <T = any>(path: string) => Promise<T> }>({
  baseURL: async ({}, use) => {
    await use(e2eEnv("E2E_BASE_URL"));
  },
  /** The read API as the signed-in browser sees it (session cookie, no API key). */
  apiGet: async ({ page }, use) => {
    await use(async (path) => {
      const response = await page.request.get(path);
      expect(response.status(), `${path}: ${await response.text()}`).toBe(200);
      return response.json();
    });
  },
});

export { expect };

export async function screenshot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: `${ARTIFACTS}/${name}.png` });
}
