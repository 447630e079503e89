import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** An app (Koa) listening on a free local port, for tests that need a second API process on the same database. */
export async function listen(app: { callback(): Parameters<typeof createServer>[1] }): Promise<{ server: Server; url: string }> {
  const server = createServer(app.callback());
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}
