import { createDeliverySeries, deadLetterDepth } from '../../domain/overview';
import type { Models } from '../../models';
import { ApiError } from '../errors';

/**
 * Delivery attempts of the window, per period: read from the attempt rows (projected, streamed),
 * at most `scanLimit` of them, like the raw report; past that the answer is 422 rather than a
 * connection and a core held for minutes.
 */
export async function deliveryFigures(
  models: Models,
  window: { from: Date; to: Date },
  starts: number[],
  scanLimit: number,
  only: Record<string, unknown> = {},
) {
  const series = createDeliverySeries(starts, window.to.getTime());
  let scanned = 0;
  const rows = models.DeliveryAttempt.find(
    { ...only, at: { $gte: window.from, $lt: window.to }, test: { $ne: true } },
    { at: 1, outcome: 1, duration_ms: 1, _id: 0 },
  )
    .lean<{ at: Date; outcome: string; duration_ms?: number }>()
    .cursor({ batchSize: 1000 });
  for await (const row of rows) {
    if (++scanned > scanLimit)
      throw new ApiError(
        422,
        'report_too_large',
        `this overview would read more than ${scanLimit} delivery attempts; ask for a shorter from/to window`,
      );
    series.add(row);
  }
  return series.result();
}

/**
 * Dead letters now, and the depth at the end of each period counted from the deliveries that are
 * dead-lettered now. Nothing writes a dead-lettered delivery until it is redelivered, so its
 * updated_at is when it was dead-lettered.
 */
export async function deadLetters(
  models: Models,
  window: { from: Date; to: Date },
  starts: number[],
  scanLimit: number,
  only: Record<string, unknown> = {},
) {
  // A test delivery's dead letter is the affiliate's to fix, not a sign of the business's health.
  const dead = { ...only, status: 'dead_lettered', test: { $ne: true } };
  const [now, before] = await Promise.all([
    models.Delivery.countDocuments(dead),
    models.Delivery.countDocuments({ ...dead, updated_at: { $lt: window.from } }),
  ]);
  const inWindow = await models.Delivery.find({ ...dead, updated_at: { $gte: window.from, $lt: window.to } }, { updated_at: 1, _id: 0 })
    .limit(scanLimit + 1)
    .lean<{ updated_at: Date }[]>();
  if (inWindow.length > scanLimit)
    throw new ApiError(
      422,
      'report_too_large',
      `more than ${scanLimit} deliveries were dead-lettered in this window; ask for a shorter one`,
    );
  return {
    now,
    depth: deadLetterDepth(
      starts,
      window.to.getTime(),
      before,
      inWindow.map((d) => d.updated_at),
    ),
  };
}
