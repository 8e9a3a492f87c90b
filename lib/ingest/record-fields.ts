import type { LoggedRequest, TokenUsage } from "../domain/logged-request";
import type { HeliconeContext } from "./helicone-headers";

/** The token and cost columns of a record, from a provider's usage and its price. */
export function usageFields(
  usage: TokenUsage,
  price: { costUsd: number | null; costUnknown: boolean },
): Pick<LoggedRequest, "promptTokens" | "completionTokens" | "cachedTokens" | "totalTokens" | "tokensEstimated" | "costUsd" | "costUnknown"> {
  return {
    promptTokens: usage.promptTokens,
    completionTokens: usage.completionTokens,
    cachedTokens: usage.cachedTokens,
    totalTokens: usage.totalTokens,
    tokensEstimated: usage.estimated,
    costUsd: price.costUsd,
    costUnknown: price.costUnknown,
  };
}

/** The trace, session, user and property columns of a record, from the Helicone-* values. */
export function heliconeFields(
  helicone: HeliconeContext,
): Pick<LoggedRequest, "traceId" | "nodeId" | "parentNodeId" | "traceError" | "sessionId" | "sessionName" | "userId" | "properties"> {
  return {
    traceId: helicone.traceId,
    nodeId: helicone.nodeId,
    parentNodeId: helicone.parentNodeId,
    traceError: helicone.traceError,
    sessionId: helicone.sessionId,
    sessionName: helicone.sessionName,
    userId: helicone.userId,
    properties: helicone.properties,
  };
}
