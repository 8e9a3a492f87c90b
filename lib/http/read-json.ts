import { ApiError } from "../shared/api-error";

/** A request's JSON body; not JSON → 400, as every handler answers it. */
export async function readJson(request: Request): Promise<unknown> {
  try {
    return await request.json();
  } catch {
    throw new ApiError("invalid_json", "Body is not valid JSON.", 400);
  }
}
