// The runner dies (SIGKILL) while a generation is in flight: the edge must answer with the error
// envelope (502/503) and must not file anything under that request's cache key. This file has a
// stack of its own, because killing the runner ruins the stack for anything else.
import { once } from 'node:events'
import { join } from 'node:path'
import { ERROR_STATUS, isErrorCode } from '@showo/contract'
import { assert, beforeAll, describe, expect, it } from 'vitest'
import { type StackChild, startChild } from '../../scripts/stack/child.ts'
import { REPO } from '../../scripts/stack/local-stack.ts'
import { waitForHttp } from '../../scripts/stack/wait-for.ts'
import { expectedCacheKey } from './support/contract.ts'
import { type E2eStack, readyModelSha, startE2eStack, useStackHooks } from './support/e2e-stack.ts'
import { type ErrorEnvelope, postJson, send } from './support/http.ts'
import { decodePng } from './support/png.ts'
import { pollFor } from './support/poll.ts'
import { scrapeMetrics, sumSamples } from './support/prometheus.ts'

/**
 * How long the runner holds a lone request in its queue, hoping for batch company. Long on
 * purpose: the request sits visibly in `showo_runner_queue_depth` until the test kills the
 * runner, so "killed mid-request" does not depend on how fast the CPU draws a tiny image.
 */
const HOLD_MS = 10_000

let stack: E2eStack
let modelSha: string
const cleanups: (() => Promise<unknown>)[] = []
let diagnostics = (): string => '(the stack did not start)'

beforeAll(async () => {
  stack = await startE2eStack({
    runnerEnv: { RUNNER_MAX_WAIT_MS: String(HOLD_MS), RUNNER_MAX_BATCH: '8' },
  })
  cleanups.push(stack.dispose)
  diagnostics = stack.diagnostics
  modelSha = await readyModelSha(stack.runnerUrl)
})

useStackHooks(cleanups, () => diagnostics())

function expectEnvelope(res: Awaited<ReturnType<typeof send>>): ErrorEnvelope['error'] {
  const { error } = res.json() as ErrorEnvelope
  assert.isTrue(isErrorCode(error.code), res.summary)
  // The status is the one the contract gives the code.
  assert.strictEqual(ERROR_STATUS[error.code as keyof typeof ERROR_STATUS], res.status, res.summary)
  assert.isNotEmpty(error.message, res.summary)
  assert.strictEqual(error.requestId, res.headers.get('x-request-id'), res.summary)
  return error
}

describe('the runner killed mid-request', () => {
  it('gets 502/503 with the envelope, leaves nothing in the cache, and recovers with a new runner', async () => {
    const request = { prompt: 'a clock tower at midnight', seed: 61, steps: 8 }
    const key = expectedCacheKey(modelSha, {
      prompt: request.prompt,
      seed: 61,
      steps: 8,
      guidance: null,
      topK: null,
      size: null,
    })
    const queued = (metrics: string): number => sumSamples(metrics, 'showo_runner_queue_depth')
    assert.strictEqual(queued(await scrapeMetrics(stack.runnerUrl)), 0)

    const inFlight = postJson(`${stack.edgeUrl}/v1/images/generations`, request)
    // The edge's call has reached the runner and waits there for its batch.
    await pollFor(
      'the generation to be queued at the runner',
      async () => (queued(await scrapeMetrics(stack.runnerUrl)) === 1 ? true : undefined),
      { timeoutMs: 120_000, intervalMs: 50, describe: diagnostics }
    )
    const exited = once(stack.runner.process, 'exit')
    assert.isTrue(stack.runner.process.kill('SIGKILL'))
    const [, signal] = (await exited) as [number | null, NodeJS.Signals | null]
    expect(signal).toBe('SIGKILL')

    const failed = await inFlight
    assert.include([502, 503], failed.status, failed.summary)
    const error = expectEnvelope(failed)
    expect(['UPSTREAM_FAILED', 'GENERATION_CANCELLED', 'RUNNER_SHUTTING_DOWN']).toContain(
      error.code
    )
    assert.isNull(failed.headers.get('x-cache'), failed.summary)

    // Nothing was filed under the request's content address…
    const probe = await send(`${stack.edgeUrl}/v1/images/${key}.png`)
    assert.strictEqual(probe.status, 404, probe.summary)
    expect(expectEnvelope(probe).code).toBe('NOT_FOUND')
    // …and asking again is no cache hit either: with the runner gone it fails the same way.
    const again = await postJson(`${stack.edgeUrl}/v1/images/generations`, request)
    assert.include([502, 503], again.status, again.summary)
    expectEnvelope(again)
    assert.isTrue(stack.edge.alive(), 'the edge survived the runner')

    // A new runner with the same model and secret on the same address: the request is drawn
    // afresh (a miss, not a hit on something stored during the crash) under the expected key.
    const runner = restartRunner(stack)
    cleanups.push(() => runner.stop(40_000))
    diagnostics = () => `${stack.diagnostics()}\n--- restarted runner ---\n${runner.output()}`
    await waitForHttp(`${stack.runnerUrl}/readyz`, {
      timeoutMs: 180_000,
      what: 'the restarted runner',
      alive: runner.alive,
    })
    const recovered = await postJson(`${stack.edgeUrl}/v1/images/generations`, request)
    assert.strictEqual(recovered.status, 200, recovered.summary)
    assert.strictEqual(recovered.headers.get('x-cache'), 'miss', recovered.summary)
    const item = (recovered.json() as { data: { key: string; url: string }[] }).data[0]
    expect(item?.key).toBe(key)
    const image = await send(item?.url ?? '')
    assert.strictEqual(image.status, 200, image.summary)
    expect(image.headers.get('x-steps')).toBe('8')
    expect((await decodePng(image.bytes)).width).toBe(256)
  })
})

/** Starts `showo serve` again the way `startLocalStack` does, without the queue hold. */
function restartRunner(s: E2eStack): StackChild {
  const port = new URL(s.runnerUrl).port
  return startChild(
    'runner#2',
    process.execPath,
    [join(REPO, 'gpu-runner/bin/showo.mjs'), 'serve', '--model', s.model, '--port', port],
    {
      cwd: REPO,
      env: {
        ...process.env,
        RUNNER_ENV: 'development',
        RUNNER_HOST: '127.0.0.1',
        RUNNER_SECRET: s.secret,
        RUNNER_EP: 'cpu',
      },
    }
  )
}
