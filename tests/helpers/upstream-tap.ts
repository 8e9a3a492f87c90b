import { createServer, request } from "node:http";
import type { AddressInfo } from "node:net";

export interface TappedExchange {
  path: string;
  headers: Record<string, string | string[] | undefined>;
  /** null while the response is open; then whether the app hung up before the response ended */
  closedBeforeEnd: boolean | null;
}

/**
 * A transparent HTTP pass-through placed between the app and the mock provider, to see what the
 * mock cannot report: whether the app closed its upstream connection before the answer ended.
 */
export async function startUpstreamTap(target: string) {
  const exchanges: TappedExchange[] = [];
  const server = createServer((req, res) => {
    const exchange: TappedExchange = { path: req.url ?? "/", headers: req.headers, closedBeforeEnd: null };
    exchanges.push(exchange);
    const forward = request(target + exchange.path, { method: req.method, headers: req.headers }, (upstream) => {
      res.writeHead(upstream.statusCode ?? 502, upstream.headers);
      upstream.pipe(res);
    });
    forward.on("error", () => res.destroy());
    res.on("close", () => {
      exchange.closedBeforeEnd = !res.writableFinished;
      forward.destroy();
    });
    req.pipe(forward);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    exchanges,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A loopback port nothing listens on: connecting to it is refused. */
export async function unusedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
