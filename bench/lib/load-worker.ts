/**
 * Child-process entry of the load generator. It runs in its own process so its event loop and
 * garbage collector do not share a thread with the server it measures (they still share the CPUs).
 */
import { LoadGenerator, type PhaseOptions, type RequestSpec } from './load';

export type ToWorker =
  | { type: 'init'; target: { host: string; port: number }; spec: RequestSpec; maxSockets: number }
  | { type: 'run'; options: PhaseOptions }
  | { type: 'close' };

export type FromWorker = { type: 'ready' } | { type: 'result'; result: unknown } | { type: 'error'; message: string };

let generator: LoadGenerator | undefined;
const reply = (msg: FromWorker) => process.send?.(msg);

process.on('message', (msg: ToWorker) => {
  void (async () => {
    try {
      if (msg.type === 'init') {
        generator = new LoadGenerator(msg.target, msg.spec, msg.maxSockets);
        reply({ type: 'ready' });
      } else if (msg.type === 'run') {
        if (!generator) throw new Error('run before init');
        reply({ type: 'result', result: await generator.run(msg.options) });
      } else {
        generator?.close();
        process.disconnect();
      }
    } catch (err) {
      reply({ type: 'error', message: err instanceof Error ? (err.stack ?? err.message) : String(err) });
    }
  })();
});
