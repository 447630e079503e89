import { createModels } from '../../models';
import { connectMongo, pingMongo, reopenMongo } from '../../models/connect';
import { uniqueName } from '../support/stack';
import { testEnv } from '../support/test-env';

/** The processes' watchdog (models/watchdog.ts) relies on this: a fresh client under the same models. */
describe('reopenMongo', () => {
  it('replaces the client and the models keep working on the same connection object', async () => {
    const dbName = uniqueName('reopen');
    const url = testEnv('mongoUrl');
    const mongo = await connectMongo(url, { dbName });
    try {
      const models = createModels(mongo);
      await models.Click.collection.insertOne({
        _id: 'clk_reopen',
        offer_id: 'o',
        affiliate_id: 'a',
        advertiser_id: 'v',
        created_at: new Date(),
      } as never);
      const before = mongo.getClient();

      await reopenMongo(mongo, url, { dbName });

      expect(mongo.getClient()).not.toBe(before);
      await expect(pingMongo(mongo)).resolves.toBeUndefined();
      expect(await models.Click.findById('clk_reopen').lean()).toMatchObject({ _id: 'clk_reopen', offer_id: 'o' });
    } finally {
      await mongo.close();
    }
  });
});
