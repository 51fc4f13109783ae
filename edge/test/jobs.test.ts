import { describe, it } from 'vitest'
import { verifyWebhook } from '../src/webhook-signature.ts'
import type { QueueMessage } from '../src/jobs/queue-message.ts'
import { callWorker, postJson } from './call-worker.ts'
import { MODEL_SHA, fakeRunner, fakeUpstreams, type RecordedRequest } from './fake-upstreams.ts'
import { recordingQueue, runQueue } from './run-queue.ts'

const SECRET = 'whsec_' + btoa('a webhook signing secret')

interface JobView {
  id: string
  status: string
  seed: number
  result: { key: string; url: string; seed: number } | null
  error: { code: string } | null
  webhook: { state: string; attempts: number } | null
}

async function submit(body: unknown): Promise<{ res: Response; sent: QueueMessage[] }> {
  const queue = recordingQueue()
  const res = await postJson(
    '/v1/jobs',
    body,
    {},
    {
      MODEL_SHA,
      WEBHOOK_SIGNING_SECRET: SECRET,
      RENDER_QUEUE: queue.queue,
    }
  )
  return { res, sent: queue.sent }
}

/** The receiver's side, written from the Standard Webhooks description, not from our code. */
async function receiverAccepts(call: RecordedRequest): Promise<boolean> {
  const id = call.headers.get('webhook-id') ?? ''
  const timestamp = call.headers.get('webhook-timestamp') ?? ''
  const signature = call.headers.get('webhook-signature') ?? ''
  const key = await crypto.subtle.importKey(
    'raw',
    Uint8Array.from(atob(SECRET.slice('whsec_'.length)), (ch) => ch.charCodeAt(0)),
    { name: 'HMAC', hash: 'SHA-256' },
    false,
    ['sign']
  )
  const mac = await crypto.subtle.sign(
    'HMAC',
    key,
    new TextEncoder().encode(`${id}.${timestamp}.${call.body}`)
  )
  const expected = `v1,${btoa(String.fromCharCode(...new Uint8Array(mac)))}`
  return signature.split(' ').includes(expected)
}

describe('async jobs', () => {
  it('queues a job, runs it, and reports the image URL', async ({ expect }) => {
    const up = fakeUpstreams({ 'runner.test': fakeRunner() })
    const { res, sent } = await submit({ prompt: 'a quiet harbour', seed: 11 })
    expect(res.status).toBe(202)
    const job = await res.json<JobView>()
    expect(job).toMatchObject({ status: 'queued', seed: 11, result: null })
    expect(res.headers.get('location')).toBe(`/v1/jobs/${job.id}`)
    expect(sent).toEqual([{ type: 'job', id: job.id, requestId: expect.any(String) as unknown }])

    const outcome = await runQueue(
      sent.map((body) => ({ body })),
      { MODEL_SHA }
    )
    expect(outcome.explicitAcks).toEqual(['msg-0'])
    expect(up.callsTo('runner.test')).toHaveLength(1)
    const done = await (await callWorker(`/v1/jobs/${job.id}`)).json<JobView>()
    expect(done.status).toBe('succeeded')
    expect(done.result?.url).toBe(`https://edge.test/v1/images/${done.result?.key ?? ''}.png`)
    const image = await callWorker(new URL(done.result?.url ?? '').pathname)
    expect(image.status).toBe(200)
  })

  it('sends a webhook the receiver can verify, retrying until it is accepted', async ({
    expect,
  }) => {
    let hookCalls = 0
    const up = fakeUpstreams({
      'runner.test': fakeRunner(),
      'hooks.test': () => {
        hookCalls++
        return new Response(null, { status: hookCalls === 1 ? 500 : 204 })
      },
    })
    const { res, sent } = await submit({
      prompt: 'a quiet harbour',
      seed: 12,
      webhook_url: 'http://hooks.test/receive',
    })
    const job = await res.json<JobView>()
    const first = await runQueue(
      sent.map((body) => ({ body })),
      { MODEL_SHA, WEBHOOK_SIGNING_SECRET: SECRET }
    )
    expect(first.retryMessages).toEqual([{ msgId: 'msg-0', delaySeconds: 5 }])
    const second = await runQueue(
      sent.map((body) => ({ body, attempts: 2 })),
      {
        MODEL_SHA,
        WEBHOOK_SIGNING_SECRET: SECRET,
      }
    )
    expect(second.explicitAcks).toEqual(['msg-0'])
    expect(up.callsTo('runner.test')).toHaveLength(1)

    const hooks = up.callsTo('hooks.test')
    expect(hooks).toHaveLength(2)
    for (const hook of hooks) {
      expect(hook.headers.get('webhook-id')).toBe(job.id)
      expect(await receiverAccepts(hook)).toBe(true)
      const headers = {
        id: hook.headers.get('webhook-id'),
        timestamp: hook.headers.get('webhook-timestamp'),
        signature: hook.headers.get('webhook-signature'),
      }
      expect(await verifyWebhook(SECRET, headers, hook.body)).toBe(true)
      expect(await verifyWebhook(SECRET, headers, hook.body + ' ')).toBe(false)
      expect(await verifyWebhook('whsec_' + btoa('other'), headers, hook.body)).toBe(false)
    }
    const payload = JSON.parse(hooks[1]?.body ?? '{}') as { type: string; data: JobView }
    expect(payload.type).toBe('job.succeeded')
    expect(payload.data.result?.seed).toBe(12)
    const view = await (await callWorker(`/v1/jobs/${job.id}`)).json<JobView>()
    expect(view.webhook).toEqual({ state: 'delivered', attempts: 2 })
  })

  it('marks a job failed with the runner code when it cannot be retried', async ({ expect }) => {
    fakeUpstreams({
      'runner.test': () =>
        Response.json(
          { error: { code: 'INVALID_REQUEST', message: 'resolution: no', requestId: 'r' } },
          { status: 400 }
        ),
    })
    const { res, sent } = await submit({ prompt: 'x', seed: 13, size: '512x512' })
    const job = await res.json<JobView>()
    await runQueue(
      sent.map((body) => ({ body })),
      { MODEL_SHA }
    )
    const view = await (await callWorker(`/v1/jobs/${job.id}`)).json<JobView>()
    expect(view.status).toBe('failed')
    expect(view.error?.code).toBe('INVALID_REQUEST')
  })

  it('refuses a webhook when no signing secret is configured, and unknown ids', async ({
    expect,
  }) => {
    const res = await postJson(
      '/v1/jobs',
      { prompt: 'x', webhook_url: 'https://example.com/hook' },
      {},
      { MODEL_SHA, WEBHOOK_SIGNING_SECRET: '' }
    )
    expect(res.status).toBe(503)
    expect((await res.json<{ error: { message: string } }>()).error.message).toContain(
      'WEBHOOK_SIGNING_SECRET'
    )
    const bad = await postJson(
      '/v1/jobs',
      { prompt: 'x', webhook_url: 'ftp://x' },
      {},
      { MODEL_SHA }
    )
    expect(bad.status).toBe(400)
    const missing = await callWorker(`/v1/jobs/${crypto.randomUUID()}`)
    expect(missing.status).toBe(404)
    const malformed = await callWorker('/v1/jobs/not-a-uuid')
    expect(malformed.status).toBe(400)
  })
})
