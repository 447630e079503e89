import { z } from 'zod';
import { postbackMacros, postbackMacroTable } from '../../domain/postback-macros';
import { json } from '../openapi/operation';
import { route, type Route } from '../route';
import { postbackMacro } from '../schemas/postback-endpoint';

/** The expander's own table, as the console shows it beside an endpoint's URL and body. */
const macroList = postbackMacros.map((name) => ({ name, macro: `{${name}}`, ...postbackMacroTable[name] }));

export function postbackMacroRoutes(): Route[] {
  return [
    route(
      {
        tag: 'Affiliate postback endpoints',
        access: 'admin',
        // The same list for every caller: nothing in it belongs to a partner.
        realms: { ops: true, affiliate: { handler: 'the same list for everyone' } },
        method: 'get',
        path: '/api/postback-macros',
        summary: 'The macros a postback URL or body template can use',
        description: 'Every macro the expander knows, in its order, with what it holds and an example value.',
        responses: { 200: json(z.object({ data: z.array(postbackMacro) }), 'Every macro') },
      },
      (ctx) => {
        ctx.body = { data: macroList };
      },
    ),
  ];
}
