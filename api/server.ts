import { loadConfigOrExit } from '../config';
import { connectProcessMongo } from '../models/process-connection';
import { createModels, ensureIndexes } from '../models';
import { createLogger, type Logger } from '../observability/logger';
import { connectTemporalClient, temporalWaitLog } from '../temporal/connect';
import { createApp } from './app';

let logger: Logger | undefined;

/** API process: listens on PORT; on SIGINT/SIGTERM stops accepting, finishes requests, closes connections. */
async function main(): Promise<void> {
  const config = loadConfigOrExit();
  const log = (logger = createLogger({ level: config.LOG_LEVEL, service: 'api' }));
  // Start-up and shutdown lines are written whatever LOG_LEVEL says: scripts wait for them.
  const lifecycle = log.child({}, { level: 'info' });
  const mongoConnection = await connectProcessMongo({
    url: config.MONGO_URL,
    log: lifecycle,
    verboseDriverEvents: config.LOG_MONGO_DRIVER_EVENTS,
  });
  const mongo = mongoConnection.connection;
  const models = createModels(mongo);
  await ensureIndexes(models);
  const temporal = await connectTemporalClient(
    config.TEMPORAL_ADDRESS,
    config.TEMPORAL_NAMESPACE,
    temporalWaitLog(lifecycle, config.TEMPORAL_ADDRESS),
  );

  const app = createApp({
    temporal,
    mongo,
    models,
    taskQueue: config.TASK_QUEUE,
    adminApiKey: config.ADMIN_API_KEY,
    logger: log,
    reversalWindowHours: config.REVERSAL_WINDOW_DAYS * 24,
    temporalUiUrl: config.TEMPORAL_UI_URL,
    trustProxyHops: config.TRUST_PROXY_HOPS,
    rateLimits: { perIp: config.RATE_LIMIT_PER_IP, perAdvertiser: config.RATE_LIMIT_PER_ADVERTISER },
  });
  const server = app.listen(config.PORT, config.HOST, () => {
    lifecycle.info({ host: config.HOST, port: config.PORT }, `api listening on http://${config.HOST}:${config.PORT}`);
  });

  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    lifecycle.info({ signal }, `api: ${signal}, draining`);
    server.close(async () => {
      await temporal.connection.close();
      await mongoConnection.close();
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
