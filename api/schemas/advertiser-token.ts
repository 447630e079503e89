import { z } from 'zod';
import { at, idParam } from './common';

export const MAX_OVERLAP_HOURS = 24 * 30;
/** 0 to 720 whole hours as text (a form's value). */
const HOURS_TEXT = /^(720|7[01][0-9]|[1-6][0-9]{2}|[1-9]?[0-9])$/;

/** Optional as a whole: POST …/token/rotate with no body keeps the old token for 24 h. */
export const tokenRotationBody = z
  .object({
    // A number in JSON, its decimal text in a form; the document states both shapes exactly (schemathesis holds it to them).
    overlap_hours: z
      .union([z.number(), z.string().trim().regex(HOURS_TEXT, 'must be a whole number of hours from 0 to 720').transform(Number)], {
        error: 'must be a number of hours',
      })
      .pipe(
        z
          .number()
          // Whole hours: a form carries the number as text, and the document can state whole hours exactly in both shapes.
          .int('must be a whole number of hours')
          .min(0, 'must be 0 (the old token stops at once) or more')
          .max(MAX_OVERLAP_HOURS, `must be at most ${MAX_OVERLAP_HOURS} (30 days)`),
      )
      .default(24)
      .meta({
        description: 'how long the old token keeps working; 0: it stops at once',
        example: 24,
        anyOf: [
          { type: 'integer', minimum: 0, maximum: MAX_OVERLAP_HOURS },
          { type: 'string', pattern: HOURS_TEXT.source },
        ],
      }),
  })
  .strict();

export const tokenRotated = z
  .object({
    id: idParam,
    postback_token: z.string().meta({ description: 'the new token, shown once, here; only its SHA-256 is stored', example: 'pt_…' }),
    postback_url_template: z.string().meta({
      description: "the advertiser's postback URL with the new token, its placeholders for the advertiser's system to fill",
      example: 'https://track.example/postback?click_id={click_id}&txid={txid}&amount={amount}&token=pt_…',
    }),
    rotated_at: at,
    rotation_overlap_ends_at: at.meta({ description: 'until when the old token is still accepted (= rotated_at with overlap_hours 0)' }),
  })
  .meta({ id: 'AdvertiserTokenRotated' });
