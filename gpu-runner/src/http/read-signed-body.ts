import { SIGNATURE_HEADER } from '@showo/contract'
import type { z } from 'zod'
import type { Clock } from '../batcher/clock.ts'
import { parseBody } from './parse-body.ts'
import { readBody } from './read-body.ts'
import { verifyRequest } from './verify-request.ts'

/**
 * The boundary of every signed route, in its one order: read the raw body within `limit`, check
 * the signature over those exact bytes, then parse them with the contract schema.
 */
export async function readSignedBody<S extends z.ZodType>(
  request: Request,
  auth: { secret: string | null; clock: Pick<Clock, 'wallNow'> },
  limit: number,
  schema: S
): Promise<z.output<S>> {
  const body = await readBody(request, limit)
  const nowS = Math.floor(auth.clock.wallNow() / 1000)
  await verifyRequest(auth.secret, request.headers.get(SIGNATURE_HEADER) ?? undefined, body, nowS)
  return parseBody(body, schema)
}
