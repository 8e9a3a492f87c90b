import { afterEach, describe, expect, it } from "vitest";
import { publicUrl } from "../../lib/http/public-url";
import { readConfig, reloadConfig } from "../../lib/shared/config";

const readEnv = (vars: Record<string, string>) => readConfig(vars as NodeJS.ProcessEnv);

describe("PUBLIC_URL", () => {
  it("is unset by default, and kept without its trailing slash", () => {
    expect(readEnv({}).PUBLIC_URL).toBeUndefined();
    expect(readEnv({ PUBLIC_URL: "https://traces.example.com/" }).PUBLIC_URL).toBe("https://traces.example.com");
    expect(readEnv({ PUBLIC_URL: "http://10.0.0.5:3000/tracewell/" }).PUBLIC_URL).toBe("http://10.0.0.5:3000/tracewell");
  });

  it.each(["traces.example.com", "ftp://traces.example.com", "https://traces.example.com/?x=1", "https://traces.example.com/#top", "https://user:pw@traces.example.com"])(
    "refuses %s, saying what is expected",
    (value) => {
      expect(() => readEnv({ PUBLIC_URL: value })).toThrow(/PUBLIC_URL: .* is not a public address \(expected http\(s\):\/\/host\[:port\]\[\/path\]/);
    },
  );
});

describe("publicUrl", () => {
  const original = process.env.PUBLIC_URL;
  afterEach(() => {
    if (original === undefined) delete process.env.PUBLIC_URL;
    else process.env.PUBLIC_URL = original;
    reloadConfig();
  });
  const request = (headers: Record<string, string>) => new Request("http://0.0.0.0:3000/api/v1/traces/t/shares", { headers });

  it("uses PUBLIC_URL when set, whatever the request says", () => {
    process.env.PUBLIC_URL = "https://traces.example.com/";
    reloadConfig();
    expect(publicUrl(request({ host: "10.0.0.5:3000", "x-forwarded-host": "evil.example" }), "/share/abc")).toBe("https://traces.example.com/share/abc");
  });

  it("else the address the request came to, through a reverse proxy's forwarded host and scheme", () => {
    delete process.env.PUBLIC_URL;
    reloadConfig();
    expect(publicUrl(request({ host: "localhost:3000" }), "/share/abc")).toBe("http://localhost:3000/share/abc");
    expect(publicUrl(request({ host: "10.0.0.5:3000", "x-forwarded-host": "traces.example.com, proxy.internal", "x-forwarded-proto": "https,http" }), "/share/abc")).toBe(
      "https://traces.example.com/share/abc",
    );
  });
});
