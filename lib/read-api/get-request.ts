import { priceBreakdown } from "../domain/cost";
import { notFound } from "../shared/api-error";
import { findRequest } from "../storage/requests";
import { parseBody, parseJsonObject, toRequestDto } from "./request-dto";

/** GET /api/v1/requests/{id}: one request with its bodies, (redacted) headers and cost split. */
export async function getRequestForApi(organizationId: string, id: string) {
  const row = await findRequest(organizationId, id);
  if (!row) throw notFound("request");
  const { body, ...rest } = row;
  return {
    ...toRequestDto(rest),
    requestBody: parseBody(body?.requestBody ?? null),
    responseBody: parseBody(body?.responseBody ?? null),
    requestHeaders: parseJsonObject(body?.requestHeaders ?? "{}"),
    responseHeaders: parseJsonObject(body?.responseHeaders ?? "{}"),
    // A roll-up is not priced: its calls are.
    costBreakdown: rest.costUnknown || rest.usageRollup
      ? null
      : priceBreakdown({
          provider: rest.provider,
          model: rest.model,
          usage: { promptTokens: rest.promptTokens, completionTokens: rest.completionTokens, cachedTokens: rest.cachedTokens, totalTokens: rest.totalTokens },
          at: rest.startTime,
        }),
  };
}
