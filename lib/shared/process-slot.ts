/**
 * A value shared by every copy of a module in this process.
 *
 * The custom server and each of Next's bundles load their own copy of a module in one process
 * (and `npm run dev` reloads them), so module-scope state would exist several times: two database
 * clients, an API-key cache that revoking a key clears in one copy only, a rate limit counted
 * twice. State that must be one per process lives in a named slot on globalThis instead, all
 * under one registry, so the names cannot collide with anything else's.
 */
export interface ProcessSlot<T> {
  value: T | undefined;
}

const REGISTRY = Symbol.for("tracewell.process-slots");

export function processSlot<T>(name: string): ProcessSlot<T> {
  const holder = globalThis as { [REGISTRY]?: Map<string, ProcessSlot<unknown>> };
  const slots = (holder[REGISTRY] ??= new Map());
  let slot = slots.get(name);
  if (!slot) {
    slot = { value: undefined };
    slots.set(name, slot);
  }
  return slot as ProcessSlot<T>;
}

/** The slot's value, created on first use. */
export function processSingleton<T>(name: string, create: () => T): T {
  const slot = processSlot<T>(name);
  return (slot.value ??= create());
}
