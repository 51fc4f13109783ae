import type { ErrorCode } from '@showo/contract'

// Failures that say nothing about the request itself: a later attempt may succeed.
const RETRYABLE = new Set<ErrorCode>([
  'RUNNER_BUSY',
  'MODEL_NOT_READY',
  'RUNNER_SHUTTING_DOWN',
  'GENERATION_CANCELLED',
  'UPSTREAM_FAILED',
  'UPSTREAM_TIMEOUT',
  'NOT_CONFIGURED',
  'INTERNAL',
])

/** True when a queued render that failed with `code` should be tried again. */
export function isRetryable(code: ErrorCode): boolean {
  return RETRYABLE.has(code)
}
