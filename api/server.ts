import { loadConfigOrExit } from '../config';
import { connectMongo } from '../models/connect';
import { createModels, ensureIndexes } from '../models';
import { connectTemporalClient } from '../temporal/connect';
import { createApp } from './app';

/** API process: listens on PORT; on SIGINT/SIGTERM stops accepting, finishes requests, closes connections. */
async function main(): Promise<void> {
  const config = loadConfigOrExit();
  const mongo = await connectMongo(config.MONGO_URL);
  const models = createModels(mongo);
  await ensureIndexes(models);
  const temporal = await connectTemporalClient(config.TEMPORAL_ADDRESS, config.TEMPORAL_NAMESPACE);

  const app = createApp({ temporal, mongo, models, taskQueue: config.TASK_QUEUE, adminApiKey: config.ADMIN_API_KEY, reversalWindowHours: config.REVERSAL_WINDOW_DAYS * 24, temporalUiUrl: config.TEMPORAL_UI_URL, rateLimits: { perIp: config.RATE_LIMIT_PER_IP, perAdvertiser: config.RATE_LIMIT_PER_ADVERTISER } });
  const server = app.listen(config.PORT, config.HOST, () => {
    console.log(`api listening on http://${config.HOST}:${config.PORT}`);
  });

  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`api: ${signal}, draining`);
    server.close(async () => {
      await temporal.connection.close();
      await mongo.close();
      console.log('api stopped');
      process.exit(0);
    });
    server.closeIdleConnections();
  };
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));
}

main().catch((err: unknown) => {
  console.error(`api: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
