import type { CreateEmbeddingResponse } from "openai/resources/embeddings";
import { z } from "zod";
import { parseRequest } from "./provider";
import { type Reply, jsonReply } from "./reply";
import { splitInputs, textOrTokensSchema } from "./tokens";

const embeddingRequestSchema = z.looseObject({
  model: z.string(),
  input: textOrTokensSchema,
  dimensions: z.number().int().positive().max(8192).nullish(),
  encoding_format: z.enum(["float", "base64"]).nullish(),
});

// POST /v1/embeddings – one unit vector per input, seeded by its text; float list or base64
export function createEmbeddings(body: unknown): Reply {
  const request = parseRequest(embeddingRequestSchema, body);
  const dimensions = request.dimensions ?? defaultDimensions(request.model);
  const inputs = splitInputs(request.input);
  const promptTokens = inputs.reduce((sum, input) => sum + input.tokens, 0);
  // The raw API defaults to floats; the openai SDK asks for base64 unless told otherwise and
  // decodes it as little-endian float32, which is exactly a Float32Array's bytes on x86/arm.
  const asBase64 = request.encoding_format === "base64";
  return jsonReply(200, {
    object: "list",
    data: inputs.map((input, index) => {
      const vector = unitVector(input.text, dimensions);
      return {
        object: "embedding" as const,
        index,
        embedding: asBase64 ? Buffer.from(vector.buffer).toString("base64") : Array.from(vector),
      };
    }),
    model: request.model,
    usage: { prompt_tokens: promptTokens, total_tokens: promptTokens },
  } satisfies WireEmbeddingResponse);
}

/** The SDK's response type with base64 vectors allowed, as they travel on the wire. */
type WireEmbeddingResponse = Omit<CreateEmbeddingResponse, "data"> & {
  data: Array<Omit<CreateEmbeddingResponse["data"][number], "embedding"> & { embedding: number[] | string }>;
};

function defaultDimensions(model: string): number {
  return model.includes("3-large") ? 3072 : 1536;
}

/**
 * A deterministic unit vector for `text`: FNV-1a of the text seeds mulberry32. Returned as
 * float32 so the float list and the base64 form carry exactly the same numbers. O(dimensions).
 */
function unitVector(text: string, dimensions: number): Float32Array {
  let state = fnv1a(text);
  const values = new Float64Array(dimensions);
  let squaredNorm = 0;
  for (let index = 0; index < dimensions; index++) {
    state = (state + 0x6d2b79f5) | 0;
    let mixed = Math.imul(state ^ (state >>> 15), 1 | state);
    mixed = (mixed + Math.imul(mixed ^ (mixed >>> 7), 61 | mixed)) ^ mixed;
    const value = ((mixed ^ (mixed >>> 14)) >>> 0) / 2 ** 31 - 1;
    values[index] = value;
    squaredNorm += value * value;
  }
  const scale = squaredNorm > 0 ? 1 / Math.sqrt(squaredNorm) : 0;
  return Float32Array.from(values, (value) => value * scale);
}

function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (let index = 0; index < text.length; index++) {
    hash = Math.imul(hash ^ text.charCodeAt(index), 0x01000193);
  }
  return hash | 0;
}
