import { describe, expect, it } from "vitest";
import { readConfig } from "../../lib/shared/config";

const readEnv = (vars: Record<string, string>) => readConfig(vars as NodeJS.ProcessEnv);

describe("CORS_ALLOWED_ORIGINS", () => {
  it("is empty by default: no origin is allowed", () => {
    expect(readEnv({}).CORS_ALLOWED_ORIGINS).toEqual([]);
  });

  it("reads a comma-separated list as the origins browsers send (lower-case, no trailing slash, no duplicates)", () => {
    const origins = readEnv({ CORS_ALLOWED_ORIGINS: " https://App.Example.com/, http://localhost:5173,https://app.example.com " }).CORS_ALLOWED_ORIGINS;
    expect(origins).toEqual(["https://app.example.com", "http://localhost:5173"]);
  });

  it.each([
    ["*", /\* is not accepted/],
    ["https://app.example.com/path", /not an origin/],
    ["app.example.com", /not an origin/],
    ["https://ok.example.com, ftp:", /ftp: is not an origin/],
  ])("refuses %s, saying why", (value, reason) => {
    expect(() => readEnv({ CORS_ALLOWED_ORIGINS: value })).toThrow(reason);
  });
});
