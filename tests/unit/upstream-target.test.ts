import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { chooseUpstream, parseUpstreamAllowlist } from "@/lib/ingest/proxy/upstream-target";

const CONFIGURED = "https://api.openai.com";
const allowlist = parseUpstreamAllowlist("https://api.together.xyz, http://127.0.0.1:8080");

describe("upstream target (Helicone-Target-Url)", () => {
  it("without the header, the configured upstream", () => {
    expect(chooseUpstream(CONFIGURED, undefined, allowlist)).toEqual({ baseUrl: CONFIGURED });
    expect(chooseUpstream(CONFIGURED, "  ", allowlist)).toEqual({ baseUrl: CONFIGURED });
  });

  it("an allowlisted origin, with its base path kept and trailing slashes dropped", () => {
    expect(chooseUpstream(CONFIGURED, "https://api.together.xyz", allowlist)).toEqual({ baseUrl: "https://api.together.xyz" });
    expect(chooseUpstream(CONFIGURED, "https://API.Together.xyz/openai/", allowlist)).toEqual({ baseUrl: "https://api.together.xyz/openai" });
    expect(chooseUpstream(CONFIGURED, "http://127.0.0.1:8080/", allowlist)).toEqual({ baseUrl: "http://127.0.0.1:8080" });
  });

  it.each([
    ["another host", "https://evil.example.com"],
    ["a look-alike suffix", "https://api.together.xyz.evil.example.com"],
    ["userinfo hiding the real host", "https://api.together.xyz@evil.example.com"],
    ["the right host on another port", "https://api.together.xyz:8443"],
    ["the right host over plain http", "http://api.together.xyz"],
    ["another loopback port", "http://127.0.0.1:9"],
    ["loopback by name", "http://localhost:8080"],
    ["IPv6 loopback", "http://[::1]:8080"],
    ["cloud metadata", "http://169.254.169.254/latest/meta-data"],
    ["a file URL", "file:///etc/passwd"],
    ["a relative path", "/v1/chat/completions"],
    ["not a URL", "definitely not a url"],
  ])("refuses %s with a message naming the header", (_, target) => {
    const choice = chooseUpstream(CONFIGURED, target, allowlist);
    expect(choice).toHaveProperty("error");
    expect((choice as { error: string }).error).toMatch(/Helicone-Target-Url/);
  });

  it("refuses credentials, queries and fragments even on an allowed origin", () => {
    for (const target of ["https://user:pw@api.together.xyz", "https://api.together.xyz/?a=1", "https://api.together.xyz/#x"]) {
      expect(chooseUpstream(CONFIGURED, target, allowlist)).toHaveProperty("error");
    }
  });

  it("property: whatever the header says, the call goes to the configured upstream or an allowlisted origin, never elsewhere", () => {
    const targets = fc.oneof(
      fc.string(),
      fc.webUrl({ withQueryParameters: true, withFragments: true }),
      fc.constantFrom("https://api.together.xyz", "http://127.0.0.1:8080").chain((base) => fc.webPath().map((path) => base + path)),
    );
    fc.assert(
      fc.property(targets, (target) => {
        const choice = chooseUpstream(CONFIGURED, target, allowlist);
        if ("error" in choice) return;
        const origin = new URL(choice.baseUrl).origin;
        expect(origin === CONFIGURED || allowlist.has(origin)).toBe(true);
      }),
    );
  });

  it("an empty allowlist admits no target; a bad entry is refused at start naming it", () => {
    expect(chooseUpstream(CONFIGURED, "https://api.together.xyz", parseUpstreamAllowlist(undefined))).toHaveProperty("error");
    expect(() => parseUpstreamAllowlist("https://ok.example.com, ftp://files.example.com")).toThrow(/"ftp:\/\/files.example.com"/);
  });
});
