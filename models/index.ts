import type { Connection } from 'mongoose';
import { conversionModel } from './conversion';

/** Models bound to one connection, so tests can give each file its own database. */
export function createModels(connection: Connection) {
  return { Conversion: conversionModel(connection) };
}

export type Models = ReturnType<typeof createModels>;

/** Builds every index before traffic arrives, so uniqueness holds from the first write. */
export async function ensureIndexes(models: Models): Promise<void> {
  await Promise.all(Object.values(models).map((model) => model.createIndexes()));
}
