import type { Models } from '../../models';

/** How often (by the writes' clock) one process deletes rows past their retention. */
const SWEEP_EVERY_MS = 10 * 60 * 1000;

export interface PruneSettings {
  models: Models;
  now: () => Date;
  maxRowsPerAdvertiser: number;
}

/**
 * Keeps the ingress log within its bounds, driven by its own writes, so the bounds hold on the
 * embedded store too (no TTL monitor there) and with no worker or timer: at most every 10 minutes
 * a write deletes the rows whose retention has passed, and an advertiser's rows beyond its budget
 * are trimmed, oldest first, on its first write in this process and then after every tenth of the
 * budget. So an advertiser keeps at most its budget plus a tenth of it per API process; rows
 * without an advertiser share one budget. Deleting is idempotent: processes racing to prune agree.
 */
export function ingressPruner(opts: PruneSettings): (advertiserId: string | null) => Promise<void> {
  const { models, maxRowsPerAdvertiser: max } = opts;
  const trimEvery = Math.max(1, Math.floor(max / 10));
  // Writes since the last trim, per advertiser this process has seen (bounded by the advertisers there are).
  const writes = new Map<string | null, number>();
  let lastSweep = -Infinity;

  const sweep = async () => {
    const now = opts.now();
    if (now.getTime() - lastSweep < SWEEP_EVERY_MS) return;
    lastSweep = now.getTime();
    await models.IngressLogEntry.deleteMany({ expires_at: { $lte: now } });
  };

  const trim = async (advertiserId: string | null) => {
    const count = (writes.get(advertiserId) ?? trimEvery - 1) + 1;
    writes.set(advertiserId, count >= trimEvery ? 0 : count);
    if (count < trimEvery) return;
    // The newest row that falls outside the budget: it and everything older go.
    const [edge] = await models.IngressLogEntry.find({ advertiser_id: advertiserId }, { _id: 1 })
      .sort({ _id: -1 })
      .skip(max)
      .limit(1)
      .lean();
    if (edge) await models.IngressLogEntry.deleteMany({ advertiser_id: advertiserId, _id: { $lte: edge._id } });
  };

  return async (advertiserId) => {
    await sweep();
    await trim(advertiserId);
  };
}
