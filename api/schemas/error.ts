import { z } from 'zod';

/** Every error answer's body (api/errors.ts builds it). */
export const errorBody = z
  .object({
    error: z.string().meta({ description: 'machine-readable code', example: 'invalid_request' }),
    message: z.string().meta({
      description: 'what went wrong, naming each wrong field',
      example: 'limit: Too big: expected number to be <=500',
    }),
    issues: z
      .array(
        z.object({
          path: z.string().meta({ example: 'limit' }),
          code: z.string().meta({ example: 'too_big' }),
          message: z.string(),
        }),
      )
      .optional()
      .meta({ description: 'one entry per wrong field (validation errors only)' }),
  })
  .meta({ id: 'Error', description: 'Every error, whatever the status' });
