import { z } from 'zod';
import { at } from './common';

export const signInBody = z
  .object({ key: z.string().min(1, 'is required').max(512).meta({ description: 'the admin key (ADMIN_API_KEY)' }) })
  .strict();

export const sessionInfo = z
  .object({
    principal: z.string().meta({ example: 'admin' }),
    expires_at: at,
    csrf_token: z.string().meta({ description: 'send it as X-CSRF-Token on every state-changing call made with the session cookie' }),
  })
  .meta({ id: 'Session' });
