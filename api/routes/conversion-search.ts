import type { Models } from '../../models';
import { visibleTo } from '../access/projection';
import { reasonDetailCutter } from '../access/reason-detail';
import { principalOf } from '../auth';
import { conversionsCsv, csvColumns } from '../conversion-search/csv';
import { afterPosition, decodeCursor, encodeCursor, listOrder } from '../conversion-search/cursor';
import { conversionQuery } from '../conversion-search/filter';
import { json, text } from '../openapi/operation';
import { route, type Route } from '../route';
import { conversionFilters, conversionListQuery, conversionSearchPage } from '../schemas/conversion-search';
import { conversionToApi } from './conversions';

/** The console's conversion search: one id box, exact filters, keyset pages and the whole set as CSV. */
export function conversionSearchRoutes(deps: { models: Models; now: () => Date }): Route[] {
  const { models } = deps;
  const base = {
    tag: 'Conversions',
    access: 'admin',
    realms: { ops: true, affiliate: { filter: 'affiliate_id' }, advertiser: { filter: 'advertiser_id' } },
  } as const;

  const list = route(
    {
      ...base,
      method: 'get',
      path: '/api/conversions',
      summary: 'Search conversions, newest first',
      description:
        'Pages follow `next_cursor` (keyset: no row cap, and rows that arrive meanwhile neither shift nor repeat a page); ' +
        '`offset` still works for short lists.',
      query: conversionListQuery,
      responses: { 200: json(conversionSearchPage, 'One page') },
      errors: [400],
    },
    async (ctx, { query: q }) => {
      const filter = await conversionQuery(models, q);
      const paged = q.cursor ? { $and: [filter, afterPosition(decodeCursor(q.cursor))] } : filter;
      const [docs, total] = await Promise.all([
        models.Conversion.find(paged)
          .sort(listOrder)
          .skip(q.offset)
          .limit(q.limit + 1)
          .lean<Record<string, unknown>[]>(),
        q.with_total ? models.Conversion.countDocuments(filter) : undefined,
      ]);
      const rows = docs.slice(0, q.limit);
      const last = rows.at(-1);
      const more = docs.length > q.limit;
      ctx.body = {
        data: rows.map(conversionToApi),
        next_offset: more && !q.cursor ? q.offset + q.limit : null,
        next_cursor: more && last ? encodeCursor({ receivedAt: last.received_at as Date, id: String(last._id) }) : null,
        ...(total !== undefined ? { total } : {}),
      };
    },
  );

  const exportCsv = route(
    {
      ...base,
      method: 'get',
      path: '/api/conversions/export.csv',
      summary: 'Every conversion that matches, as CSV',
      description:
        'The same filters as the search, every matching row (no cap), newest first, streamed as it is read. ' +
        'A cell that would start a spreadsheet formula is prefixed with an apostrophe.',
      query: conversionFilters,
      responses: { 200: text('text/csv; charset=utf-8', 'RFC 4180 CSV with a header row') },
      errors: [400],
    },
    async (ctx, { query }) => {
      const filter = await conversionQuery(models, query);
      const docs = models.Conversion.find(filter).sort(listOrder).lean<Record<string, unknown>>().cursor({ batchSize: 500 });
      const principal = principalOf(ctx);
      ctx.type = 'text/csv; charset=utf-8';
      ctx.attachment(`conversions-${deps.now().toISOString().slice(0, 19).replace(/:/g, '')}Z.csv`);
      // A stream is not projected after the handler: its columns and rows are cut here.
      ctx.body = conversionsCsv(docs, {
        columns: csvColumns.filter((c) => visibleTo(principal, c)),
        cut: reasonDetailCutter(models, principal),
      });
    },
  );

  // The export first: its literal path would otherwise be read as a conversion id.
  return [exportCsv, list];
}
