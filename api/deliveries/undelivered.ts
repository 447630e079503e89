import { deliveryErrorClass, type DeliveryErrorClass } from '../../domain/delivery-error-class';
import type { Models } from '../../models';

/** Which undelivered deliveries: the bulk redelivery's filter and the issues' (api/schemas/delivery.ts). */
export interface UndeliveredFilter {
  statuses: readonly ('failed' | 'dead_lettered')[];
  affiliate_id?: string;
  endpoint_id?: string;
  error_class?: DeliveryErrorClass;
  from?: string;
  to?: string;
}

export interface UndeliveredDelivery {
  id: string;
  conversion_id: string;
  affiliate_id: string;
  endpoint_id: string;
  status: 'failed' | 'dead_lettered';
  error_class: DeliveryErrorClass;
  /** When the last attempt was made (the delivery's last update when it has none). */
  failed_at: Date;
  status_code?: number;
  /** The last error in one line: `HTTP 503: <start of the answer>`, or the network error. */
  message: string;
}

interface StoredDelivery {
  _id: string;
  conversion_id: string;
  affiliate_id: string;
  endpoint_id: string;
  status: 'failed' | 'dead_lettered';
  status_reason?: string;
  run: number;
  attempt_count: number;
  updated_at: Date;
}
interface StoredAttempt {
  _id: string;
  outcome: string;
  status_code?: number;
  error?: string;
  response_excerpt?: string;
  at: Date;
}

const BATCH = 500;

/**
 * The deliveries that match, oldest first (created_at, then id), each with the class of its last
 * error. The class lives on the last attempt row, whose id is known from the delivery alone
 * (`<delivery>:<run>:<attempt>`, activities/deliveries.ts), so a batch of deliveries costs one
 * more query. The preview and the run of a bulk redelivery both walk this, so they agree.
 */
export async function* undelivered(models: Models, filter: UndeliveredFilter): AsyncGenerator<UndeliveredDelivery> {
  const query: Record<string, unknown> = { status: { $in: filter.statuses } };
  if (filter.affiliate_id) query.affiliate_id = filter.affiliate_id;
  if (filter.endpoint_id) query.endpoint_id = filter.endpoint_id;
  if (filter.from || filter.to)
    query.created_at = { ...(filter.from ? { $gte: new Date(filter.from) } : {}), ...(filter.to ? { $lt: new Date(filter.to) } : {}) };
  const fields = {
    conversion_id: 1,
    affiliate_id: 1,
    endpoint_id: 1,
    status: 1,
    status_reason: 1,
    run: 1,
    attempt_count: 1,
    updated_at: 1,
  };
  let batch: StoredDelivery[] = [];
  const flush = async function* () {
    const attempts = await models.DeliveryAttempt.find(
      { _id: { $in: batch.map(lastAttemptId) } },
      { outcome: 1, status_code: 1, error: 1, response_excerpt: 1, at: 1 },
    ).lean<StoredAttempt[]>();
    const byId = new Map(attempts.map((a) => [a._id, a]));
    for (const d of batch) {
      const last = byId.get(lastAttemptId(d));
      const errorClass = deliveryErrorClass(last);
      if (filter.error_class && errorClass !== filter.error_class) continue;
      yield {
        id: d._id,
        conversion_id: d.conversion_id,
        affiliate_id: d.affiliate_id,
        endpoint_id: d.endpoint_id,
        status: d.status,
        error_class: errorClass,
        failed_at: last?.at ?? d.updated_at,
        ...(typeof last?.status_code === 'number' ? { status_code: last.status_code } : {}),
        message: describe(last, d),
      };
    }
    batch = [];
  };
  const cursor = models.Delivery.find(query, fields).sort({ created_at: 1, _id: 1 }).lean<StoredDelivery>().cursor({ batchSize: BATCH });
  for await (const d of cursor) {
    batch.push(d);
    if (batch.length >= BATCH) yield* flush();
  }
  if (batch.length > 0) yield* flush();
}

const EXCERPT_CHARS = 160;

function describe(last: StoredAttempt | undefined, d: StoredDelivery): string {
  if (typeof last?.status_code === 'number') {
    const excerpt = last.response_excerpt?.replace(/\s+/g, ' ').trim().slice(0, EXCERPT_CHARS);
    return `HTTP ${last.status_code}${excerpt ? `: ${excerpt}` : ''}`;
  }
  return last?.error ?? d.status_reason ?? 'no attempt recorded';
}

const lastAttemptId = (d: StoredDelivery) => `${d._id}:${d.run}:${d.attempt_count}`;
