/**
 * The timer loop under each of the database pollers (api/live/feed.ts, api/live/event-tail.ts,
 * events/feed-watch.ts): one round at a time, the next `intervalMs` after the last, or at once
 * when a round says it is behind; it goes on only while `wanted()` (someone waits, the poller is
 * open). A failed round is reported and the loop goes on: those waiting catch up once the
 * database answers.
 */
export class PollLoop {
  private timer: NodeJS.Timeout | undefined;
  private ticking: Promise<void> | undefined;

  constructor(
    private readonly opts: {
      intervalMs: number;
      /** One round of reads; true when a page came back full (read again at once). */
      round: () => Promise<boolean>;
      wanted: () => boolean;
      onError: (err: unknown) => void;
    },
  ) {}

  /** Reading, or scheduled to. */
  get running(): boolean {
    return this.timer !== undefined || this.ticking !== undefined;
  }

  /** Schedules the first round unless the loop is already running. */
  start(): void {
    if (!this.running) this.schedule(this.opts.intervalMs);
  }

  /** No further round is scheduled; one under way finishes (`settled`). */
  stop(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  /** Settles when the round under way (if any) has finished. */
  async settled(): Promise<void> {
    await this.ticking;
  }

  private schedule(delayMs: number): void {
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.ticking = this.tick().finally(() => {
        this.ticking = undefined;
      });
    }, delayMs);
    this.timer.unref();
  }

  private async tick(): Promise<void> {
    let behind = false;
    try {
      behind = await this.opts.round();
    } catch (err) {
      this.opts.onError(err);
    }
    if (this.opts.wanted() && !this.timer) this.schedule(behind ? 0 : this.opts.intervalMs);
  }
}
