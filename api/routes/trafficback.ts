import { staffOnly } from '../access/authorize';
import { defaultGlobalTarget, type TrafficbackTarget } from '../../domain/trafficback';
import type { Models } from '../../models';
import { fieldsSent } from '../audit';
import { GLOBAL_TRAFFICBACK } from '../click-targets';
import { json } from '../openapi/operation';
import { route, type Route } from '../route';
import { globalTrafficback, globalTrafficbackOut } from '../schemas/trafficback';
import { checkGlobalTarget } from '../trafficback-chains';

/** The network's global trafficback target: where a click goes when no offer-level target applies. */
export function trafficbackRoutes(models: Models, onChange: () => void): Route[] {
  const read = async () => {
    const stored = await models.Setting.findById(GLOBAL_TRAFFICBACK).lean<{ value: { target: TrafficbackTarget }; updated_at?: Date }>();
    return { target: stored?.value.target ?? defaultGlobalTarget, updated_at: stored?.updated_at?.toISOString() ?? null };
  };
  return [
    route(
      {
        method: 'get',
        path: '/api/trafficback',
        tag: 'Offers',
        access: 'admin',
        realms: staffOnly,
        summary: 'Read the global trafficback target',
        description:
          'Where a click goes when its offer cannot take it and neither the affiliate on the offer nor the offer names a target. ' +
          'Default: a 404.',
        responses: { 200: json(globalTrafficbackOut, 'The global target') },
      },
      async (ctx) => {
        ctx.body = await read();
      },
    ),
    route(
      {
        method: 'patch',
        path: '/api/trafficback',
        tag: 'Offers',
        access: 'admin',
        realms: staffOnly,
        summary: 'Set the global trafficback target',
        description: 'An offer target must exist. API processes other than this one use the new target within 5 seconds.',
        body: globalTrafficback,
        responses: { 200: json(globalTrafficbackOut, 'The global target as stored') },
        errors: [400],
        audit: { action: 'trafficback.update', target: 'none', detail: fieldsSent },
      },
      async (ctx, { body }) => {
        await checkGlobalTarget(models, body.target);
        await models.Setting.updateOne({ _id: GLOBAL_TRAFFICBACK }, { $set: { value: { target: body.target } } }, { upsert: true });
        onChange();
        ctx.body = await read();
      },
    ),
  ];
}
