import Koa from 'koa';
import { listen, type Listening } from './stack';

/**
 * The baseline: Koa on the same Node, same machine, same load generator, answering the same
 * status with no routing, validation or database. postflow's /click can approach it, not pass it.
 */
export function startBareKoa(location: string): Promise<Listening> {
  const app = new Koa();
  app.use((ctx) => {
    ctx.set('Cache-Control', 'no-store'); // as /click does, so both answers are about the same size
    ctx.redirect(location);
  });
  return listen(app);
}
