// Entry point of the write thread (write-thread.ts). Worker threads do not inherit the TypeScript
// loader the server runs under, so the thread registers its own.
import { register } from "tsx/esm/api";

register();
await import("./write-thread-worker.ts");
