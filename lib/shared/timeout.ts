/**
 * `promise`, or a rejection with `onTimeout()` once `ms` have passed without it settling. The
 * promise itself is left to finish on its own: what it does (a write, a lookup) is not cancelled.
 */
export function withTimeout<T>(promise: Promise<T>, ms: number, onTimeout: () => Error): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(onTimeout()), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
