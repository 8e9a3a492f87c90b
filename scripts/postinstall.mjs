// Generates the Prisma clients after every install (offline: see scripts/prisma-generate.mjs).
import { existsSync } from "node:fs";
if (existsSync(new URL("./prisma-generate.mjs", import.meta.url))) {
  await import("./prisma-generate.mjs");
}
