import { describeIssues } from '@showo/contract'
import type { z } from 'zod'
import { InvalidRequestError } from '../errors.ts'

const decoder = new TextDecoder('utf-8', { fatal: true })

/** Parses raw body bytes as JSON and then with a contract schema; every failure names the field. */
export function parseBody<S extends z.ZodType>(bytes: Uint8Array, schema: S): z.output<S> {
  let json: unknown
  try {
    json = JSON.parse(decoder.decode(bytes))
  } catch (error) {
    const why = error instanceof Error ? error.message : String(error)
    throw new InvalidRequestError(`body: not valid UTF-8 JSON (${why})`)
  }
  const result = schema.safeParse(json)
  if (!result.success) {
    throw new InvalidRequestError(describeIssues(result.error))
  }
  return result.data
}
