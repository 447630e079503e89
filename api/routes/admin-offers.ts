import { staffOnly } from '../access/authorize';
import type { Models } from '../../models';
import { newId } from '../../models/ids';
import { fieldsSent } from '../audit';
import { ApiError, parseOr400 } from '../errors';
import { json } from '../openapi/operation';
import { route, type Route } from '../route';
import { idParam } from '../schemas/common';
import { offer, offerSchema, offerUpdateSchema } from '../schemas/offer';
import { offerToApi } from '../serialize';
import { entityRoutes, entityUpdate } from './admin-parties';
import { checkOfferChains } from '../trafficback-chains';

export function offerRoutes(models: Models, onChange: () => void): Route[] {
  const requireAdvertiser = async (advertiserId: string) => {
    if (!(await models.Advertiser.exists({ _id: advertiserId }))) {
      throw new ApiError(400, 'invalid_request', `advertiser_id: no advertiser with id "${advertiserId}"`, [
        { path: 'advertiser_id', code: 'unknown_reference', message: `no advertiser with id "${advertiserId}"` },
      ]);
    }
  };
  const entity = { path: '/api/offers', label: 'offer', auditAs: 'offer', tag: 'Offers', shape: offer, toApi: offerToApi } as const;

  return [
    route(
      {
        method: 'post',
        path: '/api/offers',
        tag: 'Offers',
        access: 'admin',
        realms: staffOnly,
        summary: 'Create an offer',
        body: offerSchema,
        responses: { 201: json(offer, 'Created') },
        audit: { action: 'offer.create', target: 'response', detail: fieldsSent },
      },
      async (ctx, { body }) => {
        await requireAdvertiser(body.advertiser_id);
        const id = newId('off');
        await checkOfferChains(models, id, body.trafficback);
        const doc = await models.Offer.create({ _id: id, ...body });
        onChange(); // a new offer may be a trafficback target this process has cached as unknown
        ctx.status = 201;
        ctx.body = offerToApi(doc.toObject());
      },
    ),
    // PATCH merges the given top-level fields into the stored offer and validates the result
    // as a whole, so cross-field rules (default_goal among goals, caps' goals) always hold.
    route(
      {
        ...entityUpdate(entity, 'Merges the given top-level fields into the stored offer and validates the result as a whole.'),
        body: offerUpdateSchema, // refuses unknown fields and advertiser_id
      },
      async (ctx, input) => {
        const id = input.params.id;
        const existing = await models.Offer.findById(id).lean<Record<string, unknown>>();
        if (!existing) throw new ApiError(404, 'not_found', `no offer with id "${id}"`);
        // The raw fields, not the parsed ones: parsing the part alone would not change them.
        const body = ctx.request.body as Record<string, unknown>;
        const { _id, created_at: _c, updated_at: _u, ...stored } = existing;
        // Stored dates are Dates; the schema reads the API's ISO strings.
        if (stored.expires_at instanceof Date) stored.expires_at = stored.expires_at.toISOString();
        const merged = parseOr400(offerSchema, { ...stored, ...body });
        await checkOfferChains(models, id, merged.trafficback);
        const doc = await models.Offer.findByIdAndUpdate(_id, { $set: merged }, { new: true }).lean<Record<string, unknown>>();
        onChange();
        ctx.body = offerToApi(doc!);
      },
    ),
    ...entityRoutes(models.Offer, {
      ...entity,
      filters: { advertiser_id: idParam.optional() },
      onChange,
      // Affiliates get the offers they may promote from their own route, without the advertiser's terms.
      readRealms: { ops: true, advertiser: { owned: 'Offer', label: 'offer' } },
      listRealms: { ops: true, advertiser: { filter: 'advertiser_id' } },
    }),
  ];
}
