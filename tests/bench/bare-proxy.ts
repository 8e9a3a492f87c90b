/**
 * Reference (b) of the proxy benchmark: the least a Node proxy can do — node:http in, undici out,
 * body streamed back — with no auth and no logging. Run as its own process:
 *   tsx tests/bench/bare-proxy.ts <upstream origin>   (prints "Listening on http://127.0.0.1:<port>")
 */
import { createServer } from "node:http";
import { Agent, request } from "undici";

const upstream = process.argv[2];
if (!upstream) throw new Error("usage: bare-proxy.ts <upstream origin>");
const dispatcher = new Agent({ keepAliveTimeout: 30_000, connections: 256 });
const HOP_BY_HOP = new Set(["connection", "keep-alive", "transfer-encoding", "host", "content-length"]);

const server = createServer(async (req, res) => {
  res.socket?.setNoDelay(true);
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const headers = Object.fromEntries(Object.entries(req.headers).filter(([name]) => !HOP_BY_HOP.has(name))) as Record<string, string>;
  try {
    const answer = await request(upstream + req.url, {
      method: req.method as "POST",
      headers,
      body: chunks.length ? Buffer.concat(chunks) : undefined,
      dispatcher,
    });
    const responseHeaders = Object.fromEntries(Object.entries(answer.headers).filter(([name]) => !HOP_BY_HOP.has(name)));
    res.writeHead(answer.statusCode, responseHeaders as Record<string, string>);
    res.flushHeaders();
    for await (const chunk of answer.body) res.write(chunk);
    res.end();
  } catch {
    res.destroy();
  }
});
server.keepAliveTimeout = 65_000;
server.listen(0, "127.0.0.1", () => {
  const address = server.address();
  console.log(`Listening on http://127.0.0.1:${typeof address === "object" && address ? address.port : 0}`);
});
process.on("SIGTERM", () => process.exit(0));
