import { ERROR_STATUS, type ErrorCode } from '@showo/contract'

/**
 * A failure with a stable contract code. `message` is safe to send to clients; `detail` is logged only
 * (input shapes, file paths, ORT messages).
 */
export class RunnerError extends Error {
  override readonly name: string = 'RunnerError'
  readonly status: number

  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly detail?: string,
    options?: { cause?: unknown; retryAfterMs?: number }
  ) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause })
    this.status = ERROR_STATUS[code]
    this.retryAfterMs = options?.retryAfterMs
  }

  /** When a retry may succeed, where one helps (the `Retry-After` and `retry-after-ms` headers). */
  readonly retryAfterMs: number | undefined
}

/** A request's deadline passed or its client went away; raised between denoising steps. */
export class GenerationCancelledError extends RunnerError {
  override readonly name = 'GenerationCancelledError'
  constructor(reason: string) {
    super('GENERATION_CANCELLED', `generation cancelled: ${reason}`)
  }
}

/** The model failed for this request (ORT error, bad numerics). */
export class GenerationFailedError extends RunnerError {
  override readonly name = 'GenerationFailedError'
  constructor(detail: string, cause?: unknown) {
    super('GENERATION_FAILED', 'the model failed to run for this request', detail, { cause })
  }
}

/** A request that the schema accepted but the model cannot serve (e.g. a resolution it lacks). */
export class InvalidRequestError extends RunnerError {
  override readonly name = 'InvalidRequestError'
  constructor(message: string) {
    super('INVALID_REQUEST', message)
  }
}

/** The request carries no valid `x-showo-signature` (missing, malformed, stale or wrong). */
export class UnauthorizedError extends RunnerError {
  override readonly name = 'UnauthorizedError'
  constructor(reason: string) {
    super('UNAUTHORIZED', `request signature ${reason}`)
  }
}

/** The body (or a field inside it) is larger than the runner accepts. */
export class PayloadTooLargeError extends RunnerError {
  override readonly name = 'PayloadTooLargeError'
  constructor(message: string) {
    super('PAYLOAD_TOO_LARGE', message)
  }
}

/** No route with this method and path. */
export class NotFoundError extends RunnerError {
  override readonly name = 'NotFoundError'
  constructor(method: string, path: string) {
    super('NOT_FOUND', `no route ${method} ${path}`)
  }
}

/** The runner cannot take this request in time; the caller should try again (or another runner) later. */
export class RunnerBusyError extends RunnerError {
  override readonly name = 'RunnerBusyError'
  constructor(reason: string, retryAfterMs: number) {
    super('RUNNER_BUSY', `the runner is busy (${reason})`, undefined, { retryAfterMs })
  }
}

/** The model is still downloading, loading or warming up. */
export class ModelNotReadyError extends RunnerError {
  override readonly name = 'ModelNotReadyError'
  constructor(retryAfterMs: number) {
    super('MODEL_NOT_READY', 'the model is still loading', undefined, { retryAfterMs })
  }
}

/** A draining runner will not come back; another runner can answer a second from now. */
const SHUTTING_DOWN_RETRY_MS = 1000

/** The runner is draining before it stops and admits no new work. */
export class ShuttingDownError extends RunnerError {
  override readonly name = 'ShuttingDownError'
  constructor() {
    super('RUNNER_SHUTTING_DOWN', 'the runner is shutting down', undefined, {
      retryAfterMs: SHUTTING_DOWN_RETRY_MS,
    })
  }
}
