import {
  RESULT_HEADERS,
  SIGNATURE_HEADER,
  UnderstandResponse,
  signRequest,
  type GenerateRequest,
  type UnderstandRequest,
} from '@showo/contract'
import { z } from 'zod'
import { MODEL_SHA_PATTERN, type RunnerSettings } from './config.ts'
import { EdgeError } from './errors.ts'
import { retryDelayMs } from './retry-delay.ts'
import { toRunnerFailure } from './runner-error.ts'

/** A PNG from the runner with its receipt headers. */
export interface GeneratedImage {
  png: ArrayBuffer
  seed: number
  /** Steps the runner actually ran (x-steps); null when it did not say. */
  steps: number | null
  /** Model sha that drew the image (x-model). */
  model: string
  timing: string | null
}

/** What `GET /readyz` says: whether the runner takes work and which model it serves. */
export interface Readiness {
  ready: boolean
  modelSha: string | undefined
}

/** Typed client for the runner's internal HTTP API (DESIGN §3). */
export interface RunnerClient {
  generate(request: GenerateRequest, requestId: string): Promise<GeneratedImage>
  understand(request: UnderstandRequest, requestId: string): Promise<UnderstandResponse>
  readiness(requestId: string): Promise<Readiness>
}

/** Collaborators that tests replace. */
export interface RunnerClientDeps {
  fetch: typeof fetch
  sleep: (ms: number) => Promise<void>
  random: () => number
  now: () => number
}

/** The runner's `/readyz` body: `{ ready, model: { name, sha } | null, draining }`. */
const ReadyzBody = z.object({
  ready: z.boolean(),
  model: z
    .object({ sha: z.string().regex(MODEL_SHA_PATTERN) })
    .nullable()
    .optional(),
})

const PNG_MAGIC = [0x89, 0x50, 0x4e, 0x47]
const READYZ_TIMEOUT_MS = 5000

function defaultDeps(): RunnerClientDeps {
  return {
    fetch: (input, init) => fetch(input, init),
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
    random: Math.random,
    now: Date.now,
  }
}

function timeoutError(budgetMs: number, cause?: unknown): EdgeError {
  return new EdgeError('UPSTREAM_TIMEOUT', `The GPU runner did not answer within ${budgetMs} ms.`, {
    cause,
  })
}

/**
 * Creates a runner client. Every attempt is signed afresh (the signature carries a timestamp);
 * one time budget covers all attempts; 429/503 and network failures are retried with jittered
 * backoff that honours Retry-After, as long as the wait still fits in the budget.
 */
export function createRunnerClient(
  settings: RunnerSettings,
  deps: RunnerClientDeps = defaultDeps()
): RunnerClient {
  async function call<T>(
    path: string,
    body: string,
    requestId: string,
    read: (res: Response) => Promise<T>
  ): Promise<T> {
    const deadline = deps.now() + settings.timeoutMs
    let last: EdgeError = timeoutError(settings.timeoutMs)
    for (let attempt = 1; attempt <= settings.maxAttempts; attempt++) {
      const remaining = deadline - deps.now()
      if (remaining <= 0) {
        throw timeoutError(settings.timeoutMs, last)
      }
      const controller = new AbortController()
      const timer = setTimeout(() => {
        controller.abort()
      }, remaining)
      let retryAfterS: number | undefined
      try {
        const res = await deps.fetch(`${settings.url}${path}`, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            'x-request-id': requestId,
            [SIGNATURE_HEADER]: await signRequest(settings.secret, body),
          },
          body,
          signal: controller.signal,
        })
        if (res.ok) {
          return await read(res)
        }
        const failure = await toRunnerFailure(res, deps.now())
        if (!failure.retryable) {
          throw failure.error
        }
        last = failure.error
        retryAfterS = failure.error.retryAfterS
      } catch (error) {
        if (controller.signal.aborted) {
          throw timeoutError(settings.timeoutMs, error)
        }
        if (error instanceof EdgeError) {
          throw error
        }
        last = new EdgeError('UPSTREAM_FAILED', 'The GPU runner could not be reached.', {
          cause: error,
          internal: String(error),
        })
      } finally {
        clearTimeout(timer)
      }
      const delay = retryDelayMs(attempt, retryAfterS, deps.random)
      if (attempt === settings.maxAttempts || deps.now() + delay >= deadline) {
        break
      }
      await deps.sleep(delay)
    }
    throw last
  }

  return {
    generate(request, requestId) {
      return call('/v1/generate', JSON.stringify(request), requestId, readImage)
    },
    understand(request, requestId) {
      return call('/v1/understand', JSON.stringify(request), requestId, async (res) => {
        const parsed = UnderstandResponse.safeParse(await res.json().catch(() => null))
        if (!parsed.success) {
          throw new EdgeError('UPSTREAM_FAILED', 'The GPU runner answered something unreadable.')
        }
        return parsed.data
      })
    },
    async readiness(requestId) {
      const res = await deps
        .fetch(`${settings.url}/readyz`, {
          headers: {
            'x-request-id': requestId,
            [SIGNATURE_HEADER]: await signRequest(settings.secret, ''),
          },
          signal: AbortSignal.timeout(Math.min(READYZ_TIMEOUT_MS, settings.timeoutMs)),
        })
        .catch((cause: unknown) => {
          throw new EdgeError('UPSTREAM_FAILED', 'The GPU runner could not be reached.', { cause })
        })
      const parsed = ReadyzBody.safeParse(await res.json().catch(() => null))
      if (!parsed.success) {
        throw new EdgeError('UPSTREAM_FAILED', 'The GPU runner answered /readyz unreadably.', {
          internal: `readyz ${res.status}`,
        })
      }
      return { ready: parsed.data.ready && res.ok, modelSha: parsed.data.model?.sha }
    },
  }
}

async function readImage(res: Response): Promise<GeneratedImage> {
  const png = await res.arrayBuffer()
  const head = new Uint8Array(png, 0, Math.min(4, png.byteLength))
  const seed = Number(res.headers.get(RESULT_HEADERS.seed))
  const model = res.headers.get(RESULT_HEADERS.model)
  const stepsHeader = res.headers.get(RESULT_HEADERS.steps)
  if (!PNG_MAGIC.every((b, i) => head[i] === b) || !model || !Number.isInteger(seed)) {
    throw new EdgeError('UPSTREAM_FAILED', 'The GPU runner answered something unreadable.', {
      internal: `content-type ${res.headers.get('content-type')}, x-model ${model}, x-seed ${seed}`,
    })
  }
  return {
    png,
    seed,
    steps: stepsHeader === null ? null : Number(stepsHeader),
    model,
    timing: res.headers.get(RESULT_HEADERS.timing),
  }
}
