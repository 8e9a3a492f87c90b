import { findModels } from "../storage/properties";

/** GET /api/v1/models: the models seen, most used first; for suggesting filters. */
export async function listModelsForApi(organizationId: string) {
  return { models: await findModels(organizationId, 200) };
}
