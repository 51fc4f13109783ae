import { createExecutionContext, waitOnExecutionContext } from 'cloudflare:test'
import { env } from 'cloudflare:workers'
import type { Env } from '../src/env.ts'
import worker from '../src/index.ts'

/** The test bindings of wrangler.toml plus vitest.config.ts, with per-test overrides. */
export function testEnv(overrides: Partial<Env> = {}): Env {
  return { ...(env as unknown as Env), ...overrides }
}

/** Calls the Worker's fetch handler and waits for its `waitUntil` work. */
export async function callWorker(
  path: string,
  init: RequestInit<IncomingRequestCfProperties> = {},
  envOverrides: Partial<Env> = {}
): Promise<Response> {
  const ctx = createExecutionContext()
  const request = new Request<unknown, IncomingRequestCfProperties>(
    new URL(path, 'https://edge.test'),
    init
  )
  const response = await worker.fetch(request, testEnv(envOverrides), ctx)
  await waitOnExecutionContext(ctx)
  return response
}

/** A JSON POST. */
export function postJson(
  path: string,
  body: unknown,
  headers: Record<string, string> = {},
  envOverrides: Partial<Env> = {}
): Promise<Response> {
  return callWorker(
    path,
    {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify(body),
    },
    envOverrides
  )
}
