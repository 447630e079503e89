import { startReceiver, type ReceivedRequest, type Receiver, type Reply } from '../../support/receiver';

/** The fake affiliate, able to go away (connections refused) and come back on the same port. */
export interface AffiliateReceiver {
  url: string;
  /** Every request any incarnation received, in order. */
  readonly requests: ReceivedRequest[];
  /** The reply of the live incarnation from now on (a new incarnation starts with 200). */
  otherwise(reply: Reply): void;
  down(): Promise<void>;
  up(): Promise<void>;
  close(): Promise<void>;
}

export async function startAffiliateReceiver(): Promise<AffiliateReceiver> {
  const past: Receiver[] = [];
  let live: Receiver | undefined = await startReceiver();
  const port = Number(new URL(live.url).port);
  const down = async () => {
    if (!live) return;
    await live.close();
    past.push(live);
    live = undefined;
  };
  return {
    url: live.url,
    get requests() {
      return [...past, ...(live ? [live] : [])].flatMap((r) => r.requests);
    },
    otherwise(reply) {
      if (!live) throw new Error('the receiver is down');
      live.otherwise(reply);
    },
    down,
    async up() {
      live ??= await startReceiver({ port });
    },
    close: down,
  };
}
