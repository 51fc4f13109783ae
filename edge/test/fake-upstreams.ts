import { vi } from 'vitest'

/** One outbound request the Worker made. */
export interface RecordedRequest {
  url: URL
  method: string
  headers: Headers
  body: string
  raw: Request
}

/** Answers for each fake upstream, keyed by host. */
export type UpstreamHandler = (request: RecordedRequest) => Response | Promise<Response>

/**
 * Replaces `fetch` in the test isolate (the Worker, its Durable Objects and queue consumer run in
 * the same isolate) with fakes keyed by host, and records every call. Unknown hosts fail loudly.
 */
export function fakeUpstreams(handlers: Record<string, UpstreamHandler>): {
  calls: RecordedRequest[]
  callsTo: (host: string) => RecordedRequest[]
} {
  const calls: RecordedRequest[] = []
  vi.spyOn(globalThis, 'fetch').mockImplementation(async (input, init) => {
    const raw = new Request(input, init)
    const url = new URL(raw.url)
    const handler = handlers[url.host]
    if (!handler) {
      throw new Error(`unexpected fetch to ${raw.url}`)
    }
    const recorded: RecordedRequest = {
      url,
      method: raw.method,
      headers: raw.headers,
      body: await raw.clone().text(),
      raw,
    }
    calls.push(recorded)
    return handler(recorded)
  })
  return { calls, callsTo: (host) => calls.filter((c) => c.url.host === host) }
}

/** Bytes that pass the edge's PNG check and encode the seed, so images differ per seed. */
export function fakePng(seed: number): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(64)
  out.set([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])
  new DataView(out.buffer).setUint32(8, seed)
  return out
}

/** A model sha for tests. */
export const MODEL_SHA = 'a'.repeat(64)

/** A runner that draws `fakePng(seed)` after `delayMs`, as `POST /v1/generate` does. */
export function fakeRunner(options: { delayMs?: number; model?: string } = {}): UpstreamHandler {
  return async (request) => {
    if (request.url.pathname === '/readyz') {
      return Response.json({
        ready: true,
        model: { name: 'tiny', sha: options.model ?? MODEL_SHA },
      })
    }
    const body = JSON.parse(request.body) as { seed: number; steps?: number }
    if (options.delayMs) {
      await new Promise((resolve) => setTimeout(resolve, options.delayMs))
    }
    return new Response(fakePng(body.seed), {
      headers: {
        'content-type': 'image/png',
        'x-seed': String(body.seed),
        'x-steps': String(body.steps ?? 4),
        'x-model': options.model ?? MODEL_SHA,
        'server-timing': 'total;dur=1',
      },
    })
  }
}
