import type { Connection } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { allSearchAttributeKeys } from './search-attributes';

const indexedValueType: Record<string, temporal.api.enums.v1.IndexedValueType> = {
  KEYWORD: temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD,
};

/**
 * Registers postflow's search attributes on a server that lacks them (an external
 * TEMPORAL_ADDRESS); the embedded dev server gets them as start-up flags. Idempotent.
 */
export async function ensureSearchAttributes(connection: Connection, namespace: string): Promise<string[]> {
  const existing = await connection.operatorService.listSearchAttributes({ namespace });
  const known = new Set(Object.keys(existing.customAttributes ?? {}));
  const missing = allSearchAttributeKeys.filter((key) => !known.has(key.name));
  if (missing.length === 0) return [];
  await connection.operatorService.addSearchAttributes({
    namespace,
    searchAttributes: Object.fromEntries(missing.map((key) => [key.name, indexedValueType[key.type]!])),
  });
  return missing.map((key) => key.name);
}
