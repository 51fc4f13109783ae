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
    options?: { cause?: unknown; retryAfterS?: number }
  ) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause })
    this.status = ERROR_STATUS[code]
    this.retryAfterS = options?.retryAfterS
  }

  /** Seconds for the `Retry-After` header, where a retry helps. */
  readonly retryAfterS: number | undefined
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
