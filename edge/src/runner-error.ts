import { ErrorEnvelope, isErrorCode } from '@showo/contract'
import { EdgeError } from './errors.ts'
import { parseRetryAfter } from './retry-delay.ts'

/** What the edge learnt from a failed runner response. */
export interface RunnerFailure {
  error: EdgeError
  /** True for 429 and 503: the runner says that the same call may succeed later. */
  retryable: boolean
}

async function readEnvelope(res: Response): Promise<{ code?: string; message?: string }> {
  const text = await res.text().catch(() => '')
  try {
    const parsed = ErrorEnvelope.safeParse(JSON.parse(text))
    return parsed.success ? parsed.data.error : { message: text.slice(0, 200) }
  } catch {
    return { message: text.slice(0, 200) }
  }
}

/**
 * Maps a runner error response to the edge's error (DESIGN §3): 429 and the runner's other 4xx
 * codes pass through (they describe the request or the runner's queue), 5xx becomes 502
 * UPSTREAM_FAILED, and a 401 is the edge's own misconfiguration (wrong RUNNER_SECRET), so the
 * client sees 502 as well. Retry-After is kept either way.
 */
export async function toRunnerFailure(res: Response, nowMs: number): Promise<RunnerFailure> {
  const body = await readEnvelope(res)
  const retryAfterS = parseRetryAfter(res.headers.get('retry-after'), nowMs)
  const internal = `runner ${res.status} ${body.code ?? '-'}: ${body.message ?? ''}`
  const options = retryAfterS === undefined ? { internal } : { internal, retryAfterS }
  const retryable = res.status === 429 || res.status === 503
  if (res.status === 429) {
    const message = body.message ?? 'The GPU runners are busy.'
    return { error: new EdgeError('RUNNER_BUSY', message, options), retryable }
  }
  if (res.status >= 400 && res.status < 500 && res.status !== 401 && isErrorCode(body.code)) {
    const message = body.message ?? `The GPU runner refused the request (${body.code}).`
    return { error: new EdgeError(body.code, message, options), retryable }
  }
  const what = body.code ?? `HTTP ${res.status}`
  const message = `The GPU runner failed (${what}).`
  return { error: new EdgeError('UPSTREAM_FAILED', message, options), retryable }
}
