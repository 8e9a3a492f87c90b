import { stringField } from "./providers/exchange";

/** What Helicone's manual logger calls the steps that are not LLM calls: `_type` in the logged request. */
const STEP_KINDS = ["tool", "vector_db", "data"] as const;
export type LoggedStepKind = (typeof STEP_KINDS)[number];

export interface LoggedStep {
  /** stored as the node's provider */
  kind: LoggedStepKind;
  /** stored as the node's path, which the request list and the trace view show where a call shows its model */
  name: string;
}

// A name is a label in lists and trace nodes, not a body: longer ones are cut.
const MAX_NAME_LENGTH = 200;

/**
 * The step a request logged with Helicone's manual logger describes, or null for an LLM call:
 * `logRequest({ _type: "tool", toolName, input })` is a tool call named by its tool;
 * `{ _type: "vector_db", operation, databaseName?, name? }` a vector-database operation named by
 * `name`, else by database and operation ("pinecone search"); `{ _type: "data", name }` a data step.
 */
export function readLoggedStep(requestJson: Record<string, unknown>): LoggedStep | null {
  const kind = STEP_KINDS.find((step) => step === requestJson._type);
  if (!kind) return null;
  const text = (key: string) => stringField(requestJson, key)?.trim() || null;
  const name =
    kind === "tool"
      ? (text("toolName") ?? text("name"))
      : kind === "vector_db"
        ? (text("name") ?? [text("databaseName") ?? kind, text("operation")].filter(Boolean).join(" "))
        : text("name");
  return { kind, name: (name ?? kind).slice(0, MAX_NAME_LENGTH) };
}
