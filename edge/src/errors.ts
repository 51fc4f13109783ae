import { ERROR_STATUS, isErrorCode, toErrorEnvelope, type ErrorCode } from '@showo/contract'

/** Extra facts an {@link EdgeError} can carry. */
export interface EdgeErrorOptions {
  /** Seconds after which a retry may succeed; written as `Retry-After`. */
  retryAfterS?: number
  /** Logged, never sent: upstream bodies, settings names, shapes. */
  internal?: string
  cause?: unknown
  /** Extra response headers (e.g. rate-limit counters). */
  headers?: Record<string, string>
}

/**
 * The one error type route code throws. It carries a stable code (its HTTP status comes from the
 * contract's table), a message that is safe to show to clients, and internal detail for the logs.
 */
export class EdgeError extends Error {
  readonly code: ErrorCode
  readonly status: number
  readonly retryAfterS: number | undefined
  readonly internal: string | undefined
  readonly headers: Record<string, string>

  constructor(code: ErrorCode, message: string, options: EdgeErrorOptions = {}) {
    super(message, { cause: options.cause })
    this.name = 'EdgeError'
    this.code = code
    this.status = ERROR_STATUS[code]
    this.retryAfterS = options.retryAfterS
    this.internal = options.internal
    this.headers = options.headers ?? {}
  }
}

/** Error for a route whose setting or secret this deployment lacks; names the setting. */
export function notConfigured(setting: string): EdgeError {
  return new EdgeError('NOT_CONFIGURED', `This route needs ${setting}, which is not configured.`)
}

/** An error as it crosses a Durable Object RPC boundary (RPC does not keep custom classes). */
export interface WireError {
  code: ErrorCode
  message: string
  retryAfterS?: number
}

/** Flattens any error for RPC; unknown errors become INTERNAL with no detail leaked. */
export function toWireError(error: unknown): WireError {
  if (error instanceof EdgeError) {
    return error.retryAfterS === undefined
      ? { code: error.code, message: error.message }
      : { code: error.code, message: error.message, retryAfterS: error.retryAfterS }
  }
  return { code: 'INTERNAL', message: 'Internal error.' }
}

/** Rebuilds an {@link EdgeError} from its wire form. */
export function fromWireError(wire: WireError): EdgeError {
  const code = isErrorCode(wire.code) ? wire.code : 'INTERNAL'
  return wire.retryAfterS === undefined
    ? new EdgeError(code, wire.message)
    : new EdgeError(code, wire.message, { retryAfterS: wire.retryAfterS })
}

/** Renders an error as the shared envelope; only the app's top-level handler calls this. */
export function toErrorResponse(error: EdgeError, requestId: string): Response {
  const headers = new Headers(error.headers)
  headers.set('content-type', 'application/json')
  headers.set('x-request-id', requestId)
  if (error.retryAfterS !== undefined) {
    headers.set('retry-after', String(Math.max(1, Math.ceil(error.retryAfterS))))
  }
  const body = JSON.stringify(toErrorEnvelope(error.code, error.message, requestId))
  return new Response(body, { status: error.status, headers })
}
