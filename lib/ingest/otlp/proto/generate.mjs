// `npm run proto:generate`: the OTLP trace messages (and google.rpc.Status for errors) as static protobufjs code (decode, encode,
// plain-object conversion) plus its TypeScript declarations, from the .proto files beside this
// script, into lib/ingest/otlp/generated/. The output is committed, so no install ever runs a
// generator; tests/unit/otlp-generated-code.test.ts fails when it no longer matches this script.
//
//   node lib/ingest/otlp/proto/generate.mjs [<out-dir>]   (default: lib/ingest/otlp/generated)
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { pbjs } from "protobufjs-cli";

const protoDir = fileURLToPath(new URL(".", import.meta.url));
const outDir = process.argv[2] ?? fileURLToPath(new URL("../generated", import.meta.url));

const args = [
  ["--target", "static-module"],
  ["--wrap", "esm"],
  "--es6",
  // Its own slot in protobufjs's registry of roots: no clash with any other generated module.
  ["--root", "otlp"],
  // Absent fields read as proto3 defines them: a scalar as its zero value ("", 0, empty bytes), a
  // message or a oneof member as null. Like that a decoder can never tell "unset" from zero.
  "--null-semantics",
  // Only what the server and the tests use: decode, encode, plain-object conversion.
  ["--no-create", "--no-verify", "--no-delimited", "--no-typeurl", "--no-service"],
  ["--path", protoDir],
  // --dts writes otlp-trace.d.ts beside the module.
  "--dts",
  ["--out", join(outDir, "otlp-trace.js")],
  // Its imports bring in trace, resource and common.
  join(protoDir, "opentelemetry/proto/collector/trace/v1/trace_service.proto"),
  // The error body every OTLP/HTTP failure must be, with the ErrorInfo detail that names our code.
  join(protoDir, "google/rpc/status.proto"),
  join(protoDir, "google/rpc/error_details.proto"),
].flat();

mkdirSync(outDir, { recursive: true });
await new Promise((resolve, reject) => pbjs.main(args, (error) => (error ? reject(error) : resolve())));
const file = join(outDir, "otlp-trace.js");
writeFileSync(file, withoutOneofBookkeeping(withLooseStrings(readFileSync(file, "utf8"))));
console.log(`wrote ${join(outDir, "otlp-trace.js")} and otlp-trace.d.ts`);

/**
 * Two edits to pbjs's decoders, each matching how the server decoded before this code was
 * generated here, and each failing loudly if pbjs's output changes shape.
 *
 * proto3 strings are decoded with UTF-8 verification by default, which refuses a whole export for
 * one bad character. OpenTelemetry JS exporters that encoded with protobufjs (up to 0.216) write a
 * lone UTF-16 surrogate (an emoji cut in half by truncation) as bytes that are not UTF-8; reading
 * strings loosely stores U+FFFD there instead, so those exports keep being accepted.
 */
function withLooseStrings(code) {
  return replaceOrThrow(code, "reader.stringVerify()", "reader.string()");
}

/**
 * After each AnyValue member it reads, the decoder also sets the `value` oneof name, whose setter
 * deletes the seven other members one by one: that alone made decoding a typical span about half as
 * fast again. The reader of AnyValue looks at the members themselves, never at `value`.
 */
function withoutOneofBookkeeping(code) {
  return replaceOrThrow(code, /\n *message\.value = "\w+";/g, "");
}

function replaceOrThrow(code, pattern, replacement) {
  const replaced = code.replaceAll(pattern, replacement);
  if (replaced === code) throw new Error(`generated code has no ${pattern} to replace: has protobufjs-cli changed its output?`);
  return replaced;
}
