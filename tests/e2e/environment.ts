import { fileURLToPath } from "node:url";

export const projectRoot = fileURLToPath(new URL("../..", import.meta.url));
export const ARTIFACTS = `${projectRoot}tests/artifacts`;
export const STORAGE_STATE = `${ARTIFACTS}/.auth/admin.json`;
export const ADMIN = { email: "admin@e2e.test", password: "e2e-correct-horse-battery" };

/** Debian's Chromium: Playwright never downloads a browser (the test command installs Chromium when missing). */
export const CHROMIUM_PATH = "/usr/bin/chromium";
export const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

/** Set by global-setup.ts once the app is up. */
export function e2eEnv(name: "E2E_BASE_URL" | "E2E_API_KEY" | "E2E_MAIN_TRACE_ID" | "E2E_XSS_TRACE_ID"): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: run the browser tests with \`npx playwright test\``);
  return value;
}
