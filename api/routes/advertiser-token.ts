import type { Models } from '../../models';
import { newPostbackToken } from '../advertiser-token';
import { sha256 } from '../auth';
import { ApiError } from '../errors';
import { byId, json } from '../openapi/operation';
import { route, type Route } from '../route';
import { tokenRotated, tokenRotationBody } from '../schemas/advertiser-token';

/** What the advertiser pastes into its system; the placeholders are its own system's to fill. */
export const postbackUrlTemplate = (origin: string, token: string) =>
  `${origin}/postback?click_id={click_id}&txid={txid}&amount={amount}&token=${encodeURIComponent(token)}`;

/** Rotations racing on one advertiser: the loser retries on the winner's result, a few times. */
const ROTATE_TRIES = 3;

/**
 * Token rotation with an overlap, as Svix rotates signing secrets: the new token is answered once,
 * the old one keeps working until the overlap ends and is refused after. One replaced token is
 * kept: rotating again within the overlap ends the older one at once.
 */
export function advertiserTokenRoutes(deps: { models: Models; now: () => Date }): Route[] {
  return [
    route(
      {
        method: 'post',
        path: '/api/advertisers/{id}/token/rotate',
        tag: 'Advertisers',
        access: 'admin',
        // A credential: the admin's and the advertiser's own, not ops'.
        realms: { ops: false, advertiser: { self: 'advertiser' } },
        capability: 'rotate_token',
        summary: "Rotate an advertiser's postback token",
        description:
          'Answers a new token once (stored as a SHA-256 hash). The old one keeps working for `overlap_hours` (default 24; ' +
          '0 ends it at once) and is then refused with 401 `invalid_token`. The body is optional.',
        params: byId('advertiser'),
        body: tokenRotationBody,
        form: true,
        responses: { 200: json(tokenRotated, 'Rotated') },
        errors: [400, 404, 409],
        audit: { action: 'advertiser.token_rotate', target: 'params', detail: ({ body }) => ({ overlap_hours: body.overlap_hours }) },
      },
      async (ctx, { params: { id }, body }) => {
        const token = newPostbackToken();
        const rotatedAt = deps.now();
        const overlapEndsAt = new Date(rotatedAt.getTime() + body.overlap_hours * 3600 * 1000);
        for (let attempt = 0; attempt < ROTATE_TRIES; attempt += 1) {
          const current = await deps.models.Advertiser.findById(id, { postback_token_hash: 1 }).lean();
          if (!current) throw new ApiError(404, 'not_found', `no advertiser with id "${id}"`);
          // Compare-and-set on the current digest: two rotations at once cannot both demote the same token.
          const updated = await deps.models.Advertiser.findOneAndUpdate(
            { _id: id, postback_token_hash: current.postback_token_hash },
            {
              $set: {
                postback_token_hash: sha256(token),
                previous_token_hash: current.postback_token_hash,
                rotation_overlap_ends_at: overlapEndsAt,
                rotated_at: rotatedAt,
              },
            },
            { new: true, projection: { _id: 1 } },
          ).lean();
          if (!updated) continue;
          ctx.body = {
            id,
            postback_token: token,
            postback_url_template: postbackUrlTemplate(ctx.origin, token),
            rotated_at: rotatedAt.toISOString(),
            rotation_overlap_ends_at: overlapEndsAt.toISOString(),
          };
          return;
        }
        throw new ApiError(409, 'conflict', 'the token was rotated by another request meanwhile; send the rotation again');
      },
    ),
  ];
}
