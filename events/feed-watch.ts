import type { Models } from '../models';
import { PollLoop } from '../system/poll-loop';
import { sequenceEvents } from './sequence';

interface Waiter {
  after: number;
  done: (grew: boolean) => void;
}

/**
 * Tells waiters in this process when the event feed grows past a position: one poller (the
 * sequencer, two small reads every `intervalMs`) for every subscription dispatcher waiting in the
 * process, only while one waits. Without it each idle subscription polled the feed and its own
 * document every 200 ms (about 25 MongoDB commands a second each); with it an idle subscription
 * costs one read of its document per re-check (activities/subscription-dispatch.ts) and the
 * process one shared poll (bench/idle-subscriptions.ts).
 */
export class FeedWatch {
  private readonly waiters = new Set<Waiter>();
  private readonly loop: PollLoop;

  constructor(
    private readonly models: Models,
    opts: { intervalMs: number; onError?: (err: unknown) => void },
  ) {
    this.loop = new PollLoop({
      intervalMs: opts.intervalMs,
      round: () => this.round(),
      wanted: () => this.waiters.size > 0,
      // A failed read wakes nobody early: each waiter's own time limit still ends its wait.
      onError: opts.onError ?? (() => undefined),
    });
  }

  /** How many wait now. */
  get waiting(): number {
    return this.waiters.size;
  }

  /**
   * Settles once the feed's settled horizon is past `after` (a feed position), with true, or after
   * `maxWaitMs` with false, whichever is first.
   */
  waitPast(after: number, maxWaitMs: number): Promise<boolean> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => waiter.done(false), Math.max(0, maxWaitMs));
      timer.unref(); // a wait keeps nothing alive: whoever awaits it does
      const waiter: Waiter = {
        after,
        done: (grew) => {
          clearTimeout(timer);
          this.waiters.delete(waiter);
          resolve(grew);
        },
      };
      this.waiters.add(waiter);
      this.loop.start();
    });
  }

  private async round(): Promise<boolean> {
    const head = await sequenceEvents(this.models);
    for (const w of [...this.waiters]) if (head > w.after) w.done(true);
    return false;
  }
}
