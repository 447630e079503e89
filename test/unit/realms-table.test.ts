import { currentReadme, readmeWithTable, realmsTable } from '../../scripts/realms-table';
import { servedDocument } from '../../scripts/ui-types';

/**
 * The README's realms table is the routes' declarations as /openapi.json states them: a route
 * changed without `npm run ui:types` fails here.
 */
it("the README's table of realms per route is what the routes declare now", async () => {
  const table = realmsTable(JSON.parse(await servedDocument()));
  expect(table).toContain('| `GET /api/conversions` | ✓ | ✓ | affiliate_id is set to the affiliate');
  if (readmeWithTable(currentReadme(), table) !== currentReadme())
    throw new Error('the realms table in README.md is out of date: run npm run ui:types');
}, 60_000);
