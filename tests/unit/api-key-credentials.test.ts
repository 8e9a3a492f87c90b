import { describe, expect, it } from "vitest";
import { apiKeyFrom, basicPassword, bearerKeyFrom } from "@/lib/auth/api-keys";
import { ApiError } from "@/lib/shared/api-error";

const basic = (credentials: string) => `Basic ${Buffer.from(credentials).toString("base64")}`;

function refusal(run: () => unknown): { code: string; status: number; message: string } {
  try {
    run();
  } catch (error) {
    if (error instanceof ApiError) return { code: error.code, status: error.status, message: error.message };
    throw error;
  }
  throw new Error("expected a refusal");
}

describe("the API key of a request", () => {
  it("Langfuse's Basic credentials: the secret key (the password) is the API key, whatever the public key", () => {
    expect(basicPassword(basic("pk-lf-anything:sk-tw-secret"))).toBe("sk-tw-secret");
    expect(basicPassword(basic(":sk-tw-secret"))).toBe("sk-tw-secret");
    // Only the first colon separates: a password may hold colons.
    expect(basicPassword(basic("pk:sk:with:colons"))).toBe("sk:with:colons");
    expect(apiKeyFrom(basic("pk-lf-1:sk-tw-secret"), undefined)).toBe("sk-tw-secret");
    expect(basicPassword("Bearer sk-tw-secret")).toBeNull();
    expect(basicPassword(undefined)).toBeNull();
  });

  it("a Basic credential that cannot be read is a 401 invalid_api_key that says what is wrong", () => {
    expect(refusal(() => basicPassword("Basic"))).toMatchObject({ code: "invalid_api_key", status: 401, message: expect.stringContaining("no base64 credentials") });
    expect(refusal(() => basicPassword("Basic not*base64"))).toMatchObject({ status: 401, message: expect.stringContaining("no base64 credentials") });
    expect(refusal(() => basicPassword(basic("no-colon-here")))).toMatchObject({ status: 401, message: expect.stringContaining('no ":" between the public key and the secret key') });
    expect(refusal(() => basicPassword(basic("pk-lf-1:")))).toMatchObject({ status: 401, message: expect.stringContaining("empty secret key") });
    expect(refusal(() => apiKeyFrom("Basic !!!", undefined))).toMatchObject({ code: "invalid_api_key" });
  });

  it("a Bearer key anywhere comes before Basic credentials (a reverse proxy's, say) in another header", () => {
    expect(apiKeyFrom(basic("proxy-user:proxy-password"), "Bearer sk-tw-key")).toBe("sk-tw-key");
    expect(apiKeyFrom("Basic !!!", "Bearer sk-tw-key")).toBe("sk-tw-key");
    expect(apiKeyFrom(["Bearer sk-tw-first", "Bearer sk-tw-second"])).toBe("sk-tw-first");
    expect(apiKeyFrom(undefined, null)).toBeNull();
  });

  it("the read API reads Bearer keys only, so a browser's Basic credentials fall back to its session", () => {
    expect(bearerKeyFrom(basic("user:password"), null)).toBeNull();
    expect(bearerKeyFrom(basic("user:password"), "Bearer sk-tw-key")).toBe("sk-tw-key");
  });
});
