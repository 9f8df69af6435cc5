// The JSON error body (http-errors.ts) as a schema, for the OpenAPI document.
import { z } from '@hono/zod-openapi';

export const errorBodySchema = z
  .object({
    error: z.object({
      status: z.number().int().openapi({ example: 400 }),
      code: z.string().openapi({ description: 'usage, not-found, lock, database, unauthenticated, forbidden, gone, ...', example: 'usage' }),
      message: z.string().openapi({ example: 'query.view: expected one of hourly, daily' }),
      field: z.string().optional().openapi({ description: 'the parameter or body field at fault, when one is', example: 'query.view' }),
    }),
  })
  .openapi('Error');
