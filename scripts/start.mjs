// `npm start`: builds the dashboard when needed, then runs server.ts in this same process (one PID to stop).
import { fileURLToPath } from "node:url";
import { ensureBuild } from "./ensure-build.mjs";

process.chdir(fileURLToPath(new URL("..", import.meta.url)));
ensureBuild();
process.env.NODE_ENV ??= "production";
const { register } = await import("tsx/esm/api");
register();
await import("../server.ts");
