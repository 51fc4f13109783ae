import { z } from 'zod'

/** Every error code the edge or the runner can answer with, and its HTTP status. Stable forever. */
export const ERROR_STATUS = {
  INVALID_REQUEST: 400,
  UNAUTHORIZED: 401,
  NOT_FOUND: 404,
  PAYLOAD_TOO_LARGE: 413,
  RATE_LIMITED: 429,
  RUNNER_BUSY: 429,
  INTERNAL: 500,
  GENERATION_FAILED: 500,
  UPSTREAM_FAILED: 502,
  MODEL_NOT_READY: 503,
  RUNNER_SHUTTING_DOWN: 503,
  GENERATION_CANCELLED: 503,
  NOT_CONFIGURED: 503,
  UPSTREAM_TIMEOUT: 504,
} as const

/** A stable error code, as written in the error envelope. */
export type ErrorCode = keyof typeof ERROR_STATUS

/** The list of codes, for schemas and docs. */
export const ERROR_CODES = Object.keys(ERROR_STATUS) as [ErrorCode, ...ErrorCode[]]

/** One-line meaning of each code; README's error table is checked against this. */
export const ERROR_DOCS: Record<ErrorCode, string> = {
  INVALID_REQUEST: 'A field is missing, malformed or out of range; the message names it.',
  UNAUTHORIZED: 'Missing or bad API key, request signature or Discord signature.',
  NOT_FOUND: 'No such route, image or job.',
  PAYLOAD_TOO_LARGE: 'The request body or the image is over the limit.',
  RATE_LIMITED: 'Too many requests for this key or address; retry after Retry-After seconds.',
  RUNNER_BUSY: 'The runner cannot start the request in time; retry after Retry-After seconds.',
  INTERNAL: 'An unexpected error; the request id is in the logs.',
  GENERATION_FAILED: 'The model failed to run for this request.',
  UPSTREAM_FAILED: 'The GPU runner failed or answered something unreadable.',
  MODEL_NOT_READY: 'The runner is still loading or warming its model.',
  RUNNER_SHUTTING_DOWN: 'The runner is draining before it stops; another runner will answer.',
  GENERATION_CANCELLED: 'The request was cancelled (deadline passed or client went away).',
  NOT_CONFIGURED: 'This route needs a setting or secret that the deployment does not have.',
  UPSTREAM_TIMEOUT: 'The GPU runner did not answer within the time budget.',
}

/** The one error body used everywhere: `{ error: { code, message, requestId } }`. */
export const ErrorEnvelope = z.object({
  error: z.object({
    code: z.enum(ERROR_CODES),
    message: z.string(),
    requestId: z.string(),
  }),
})

/** The parsed error body. */
export type ErrorEnvelope = z.infer<typeof ErrorEnvelope>

/** Builds the error body for a code. */
export function toErrorEnvelope(
  code: ErrorCode,
  message: string,
  requestId: string
): ErrorEnvelope {
  return { error: { code, message, requestId } }
}

/** True when the value names a known error code. */
export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && Object.hasOwn(ERROR_STATUS, value)
}
