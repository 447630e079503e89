import { loadConfigOrExit } from '../config';
import { createLogger, type Logger } from '../observability/logger';
import { startSystem } from '../system/start';

let logger: Logger | undefined;

/** API process: listens on PORT; on SIGINT/SIGTERM stops accepting, finishes requests, closes connections. */
async function main(): Promise<void> {
  const config = loadConfigOrExit();
  const log = (logger = createLogger({ level: config.log.level, service: 'api' }));
  // Start-up and shutdown lines are written whatever LOG_LEVEL says: scripts wait for them.
  const lifecycle = log.child({}, { level: 'info' });
  const system = await startSystem(config, { lifecycle, app: { logger: log } });
  const { host, port } = config.api;
  const server = system.app.listen(port, host, () => {
    lifecycle.info({ host, port }, `api listening on http://${host}:${port}`);
  });

  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    lifecycle.info({ signal }, `api: ${signal}, draining`);
    // Open event streams never finish by themselves: end them, or close() would wait for ever.
    void system.live?.close();
    void system.eventTail?.close();
    server.close(async () => {
      await system.stop();
      lifecycle.info('api stopped');
      process.exit(0);
    });
    server.closeIdleConnections();
  };
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));
}

main().catch((err: unknown) => {
  const message = `api: ${err instanceof Error ? err.message : String(err)}`;
  if (logger) logger.fatal({ err }, message);
  else console.error(message);
  process.exit(1);
});
