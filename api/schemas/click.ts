import { z } from 'zod';
import { idParam } from './common';

const sub = z
  .string({ error: (issue) => (Array.isArray(issue.input) ? 'must be given once, not repeated' : undefined) })
  .max(500, 'must be at most 500 characters')
  .optional();

/** GET /click query: which offer, which affiliate, and the affiliate's own sub ids. */
export const clickQuerySchema = z.object({
  offer_id: idParam,
  aff_id: idParam,
  sub1: sub,
  sub2: sub,
  sub3: sub,
  sub4: sub,
  sub5: sub,
});
