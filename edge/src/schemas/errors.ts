import { z } from '@hono/zod-openapi'
import { ERROR_CODES } from '@showo/contract'

/** The shared error envelope, for OpenAPI responses. */
export const ErrorBody = z
  .object({
    error: z.object({
      code: z.enum(ERROR_CODES),
      message: z.string(),
      requestId: z.string(),
    }),
  })
  .openapi('Error')

/** OpenAPI response entries for the error statuses a route can answer. */
export function errorResponses(
  ...statuses: number[]
): Record<
  number,
  { description: string; content: { 'application/json': { schema: typeof ErrorBody } } }
> {
  return Object.fromEntries(
    statuses.map((status) => [
      status,
      { description: 'Error envelope', content: { 'application/json': { schema: ErrorBody } } },
    ])
  )
}
