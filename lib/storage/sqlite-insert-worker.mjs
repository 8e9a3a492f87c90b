// Entry point of the SQLite write thread (sqlite-write-thread.ts). Worker threads do not inherit
// the TypeScript loader the server runs under, so the thread registers its own.
import { register } from "tsx/esm/api";

register();
await import("./sqlite-write-thread.ts");
