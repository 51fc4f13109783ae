import { Agent, request } from 'node:http'
import { SIGNATURE_HEADER, signRequest } from '@showo/contract'

/** One finished request as the load generator saw it. */
export interface Sample {
  status: number
  /** From just before the request was written to the end of the response body. */
  ms: number
  /** A 429's `retry-after-ms` (else `Retry-After` in ms), when it sent one. */
  retryAfterMs?: number
}

/** Where and how to send requests. */
export interface Target {
  url: string
  secret: string
  agent: Agent
}

/** A keep-alive agent with no socket limit, so open-loop load is never throttled by the client. */
export function createAgent(): Agent {
  return new Agent({ keepAlive: true, maxSockets: Infinity })
}

/** Sends one signed `POST /v1/generate` (status 0 on a network error). */
export async function sendGenerate(target: Target, index: number): Promise<Sample> {
  const body = JSON.stringify({ prompt: `a bench prompt number ${index % 8}`, seed: index })
  const signature = await signRequest(target.secret, body)
  const start = performance.now()
  return new Promise((resolve) => {
    const req = request(
      `${target.url}/v1/generate`,
      {
        method: 'POST',
        agent: target.agent,
        headers: {
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(body),
          [SIGNATURE_HEADER]: signature,
        },
      },
      (res) => {
        res.resume()
        res.on('end', () => {
          const status = res.statusCode ?? 0
          const retryAfterMs = retryHint(res.headers['retry-after-ms'], res.headers['retry-after'])
          resolve({
            status,
            ms: performance.now() - start,
            ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
          })
        })
      }
    )
    req.on('error', () => {
      resolve({ status: 0, ms: performance.now() - start })
    })
    req.end(body)
  })
}

/** The wait a refusal asks for, in ms: `retry-after-ms` if sent, else `Retry-After` seconds. */
function retryHint(ms: string | string[] | undefined, s: string | string[] | undefined) {
  const value = typeof ms === 'string' ? Number(ms) : Number(s) * 1000
  return Number.isFinite(value) && value >= 0 ? value : undefined
}

/**
 * Closed loop: `concurrency` workers, each sending its next request when the last one ends. A
 * refused worker waits as long as the 429 asks before trying again, as the OpenAI client does.
 */
export async function runClosedLoop(
  target: Target,
  options: { concurrency: number; durationMs?: number; requests?: number; served?: number }
): Promise<{ samples: Sample[]; elapsedMs: number }> {
  const samples: Sample[] = []
  const start = performance.now()
  const deadline = start + (options.durationMs ?? Infinity)
  let issued = 0
  let served = 0
  let pending = 0
  const more = () =>
    performance.now() < deadline &&
    (options.requests === undefined || issued < options.requests) &&
    (options.served === undefined || served + pending < options.served)
  const worker = async (): Promise<void> => {
    while (more()) {
      issued += 1
      pending += 1
      const sample = await sendGenerate(target, issued)
      pending -= 1
      served += sample.status === 200 ? 1 : 0
      samples.push(sample)
      if (sample.status === 429 && sample.retryAfterMs !== undefined) {
        const wait = Math.min(sample.retryAfterMs, deadline - performance.now())
        await new Promise((resolve) => setTimeout(resolve, Math.max(0, wait)))
      }
    }
  }
  await Promise.all(Array.from({ length: options.concurrency }, worker))
  return { samples, elapsedMs: performance.now() - start }
}

/** Open loop: requests start at a fixed rate whatever happens to earlier ones (overload). */
export async function runOpenLoop(
  target: Target,
  options: { ratePerS: number; durationMs: number }
): Promise<{ samples: Sample[]; elapsedMs: number }> {
  const pending: Promise<Sample>[] = []
  const start = performance.now()
  await new Promise<void>((resolve) => {
    const timer = setInterval(() => {
      const elapsed = performance.now() - start
      const due = Math.min(elapsed, options.durationMs) * (options.ratePerS / 1000)
      while (pending.length < due) {
        pending.push(sendGenerate(target, 1_000_000 + pending.length))
      }
      if (elapsed >= options.durationMs) {
        clearInterval(timer)
        resolve()
      }
    }, 1)
  })
  const samples = await Promise.all(pending)
  return { samples, elapsedMs: performance.now() - start }
}
