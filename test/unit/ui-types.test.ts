import { readFileSync } from 'node:fs';
import { generateSchemaTypes, schemaFile } from '../../scripts/ui-types';

/**
 * The console's types (ui/src/api/schema.d.ts) are generated from the API's /openapi.json; a
 * route or schema change without `npm run ui:types` would leave the console typed against an
 * API that no longer exists.
 */
it('the console is typed against the API document as the routes describe it now', async () => {
  const generated = await generateSchemaTypes();
  expect(generated).toContain('"/api/session"');
  // Not toEqual on 4,000 lines: the message says what to run.
  if (readFileSync(schemaFile, 'utf8') !== generated) throw new Error('ui/src/api/schema.d.ts is out of date: run npm run ui:types');
}, 60_000);
