import { execFileSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";

/**
 * The OTLP decoder is generated code, committed so that no install runs a generator. It must stay
 * exactly what `npm run proto:generate` makes from the vendored .proto files with the pinned
 * protobufjs-cli: edit the protos or the generator, never the output. Offline, like the generator.
 */
const COMMITTED = "lib/ingest/otlp/generated";
const scratch = mkdtempSync(join(tmpdir(), "otlp-generated-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe("generated OTLP code", () => {
  it("is what npm run proto:generate makes from the vendored protos", () => {
    execFileSync(process.execPath, ["lib/ingest/otlp/proto/generate.mjs", scratch], { stdio: "pipe" });
    const files = readdirSync(COMMITTED).sort();
    expect(readdirSync(scratch).sort()).toEqual(files);
    const stale = files.filter((file) => readFileSync(join(scratch, file), "utf8") !== readFileSync(join(COMMITTED, file), "utf8"));
    expect(stale, `stale in ${COMMITTED}: run npm run proto:generate`).toEqual([]);
  }, 120_000);
});
