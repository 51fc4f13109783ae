import { beforeAll, describe, it } from 'vitest'
import type { DiscordMessage } from '../src/jobs/queue-message.ts'
import { callWorker } from './call-worker.ts'
import { discordKeys, signDiscord } from './discord-signing.ts'
import {
  MODEL_SHA,
  fakePng,
  fakeRunner,
  fakeUpstreams,
  type RecordedRequest,
} from './fake-upstreams.ts'
import { recordingQueue, runQueue } from './run-queue.ts'

let keys: Awaited<ReturnType<typeof discordKeys>>

beforeAll(async () => {
  keys = await discordKeys()
})

function imagine(id: string, options: { name: string; value: string | number }[]): string {
  return JSON.stringify({
    id,
    application_id: 'app-1',
    type: 2,
    token: `token-${id}`,
    data: { name: 'imagine', options },
  })
}

async function post(
  body: string,
  headers: Record<string, string>,
  queue = recordingQueue()
): Promise<{ res: Response; sent: typeof queue.sent }> {
  const res = await callWorker(
    '/discord/interactions',
    { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body },
    { DISCORD_PUBLIC_KEY: keys.publicKeyHex, MODEL_SHA, RENDER_QUEUE: queue.queue }
  )
  return { res, sent: queue.sent }
}

async function readEdit(
  call: RecordedRequest
): Promise<{ payload: Record<string, unknown>; file: File | null }> {
  const form = await call.raw.formData()
  const payload = JSON.parse(String(form.get('payload_json'))) as Record<string, unknown>
  // workers-types declares FormData values as strings; multipart parts arrive as File objects.
  const file = form.get('files[0]') as unknown
  return { payload, file: file instanceof File ? file : null }
}

describe('POST /discord/interactions', () => {
  it('answers PING with PONG', async ({ expect }) => {
    const body = JSON.stringify({ id: '1', application_id: 'app-1', type: 1 })
    const { res } = await post(body, await signDiscord(keys.privateKey, body))
    expect(res.status).toBe(200)
    expect(await res.json()).toEqual({ type: 1 })
  })

  it('refuses a forged signature and a stale timestamp with 401', async ({ expect }) => {
    const body = JSON.stringify({ id: '2', application_id: 'app-1', type: 1 })
    const headers = await signDiscord(keys.privateKey, body)
    const forged = await post(body.replace('"2"', '"3"'), headers)
    expect(forged.res.status).toBe(401)
    const stale = Math.floor(Date.now() / 1000) - 301
    const old = await post(body, await signDiscord(keys.privateKey, body, stale))
    expect(old.res.status).toBe(401)
    const json = await old.res.json<{ error: { code: string; message: string } }>()
    expect(json.error.code).toBe('UNAUTHORIZED')
    expect(json.error.message).toContain('timestamp')
    const unsigned = await post(body, {})
    expect(unsigned.res.status).toBe(401)
  })

  it('needs only DISCORD_PUBLIC_KEY: 503 NOT_CONFIGURED without it', async ({ expect }) => {
    const body = JSON.stringify({ id: '4', application_id: 'app-1', type: 1 })
    const res = await callWorker(
      '/discord/interactions',
      { method: 'POST', body, headers: await signDiscord(keys.privateKey, body) },
      { DISCORD_PUBLIC_KEY: '' }
    )
    expect(res.status).toBe(503)
    expect((await res.json<{ error: { message: string } }>()).error.message).toContain(
      'DISCORD_PUBLIC_KEY'
    )
  })

  it('defers /imagine at once, enqueues once, and ignores a replay', async ({ expect }) => {
    const queue = recordingQueue()
    const body = imagine('100', [
      { name: 'prompt', value: 'a  cat in a hat' },
      { name: 'steps', value: 6 },
    ])
    const headers = await signDiscord(keys.privateKey, body)
    const started = Date.now()
    const first = await post(body, headers, queue)
    expect(Date.now() - started).toBeLessThan(3000)
    expect(await first.res.json()).toEqual({ type: 5 })
    const replay = await post(body, headers, queue)
    expect(await replay.res.json()).toEqual({ type: 5 })
    expect(queue.sent).toHaveLength(1)
    expect(queue.sent[0]).toMatchObject({
      type: 'discord',
      interactionId: '100',
      applicationId: 'app-1',
      token: 'token-100',
      render: { kind: 'imagine', prompt: 'a cat in a hat', steps: 6 },
    })
  })

  it('answers an invalid option with an ephemeral message naming it', async ({ expect }) => {
    const body = imagine('101', [
      { name: 'prompt', value: 'x' },
      { name: 'steps', value: 999 },
    ])
    const { res, sent } = await post(body, await signDiscord(keys.privateKey, body))
    const json = await res.json<{ type: number; data: { content: string; flags: number } }>()
    expect(json.type).toBe(4)
    expect(json.data.flags).toBe(64)
    expect(json.data.content).toContain('steps')
    expect(sent).toHaveLength(0)
  })
})

describe('Discord render consumer', () => {
  function message(id: string, seed = 77): DiscordMessage {
    return {
      type: 'discord',
      interactionId: id,
      applicationId: 'app-1',
      token: `token-${id}`,
      requestId: `req-${id}`,
      render: { kind: 'imagine', prompt: 'a cat in a hat', seed, steps: 4 },
    }
  }

  it('edits @original with the image and buttons, once per interaction', async ({ expect }) => {
    const up = fakeUpstreams({
      'runner.test': fakeRunner(),
      'discord.test': () => Response.json({ id: 'msg' }),
    })
    const outcome = await runQueue([{ body: message('200') }], { MODEL_SHA })
    expect(outcome.explicitAcks).toEqual(['msg-0'])
    const edits = up.callsTo('discord.test')
    expect(edits).toHaveLength(1)
    const edit = edits[0] as RecordedRequest
    expect(edit.method).toBe('PATCH')
    expect(edit.url.pathname).toBe('/api/v10/webhooks/app-1/token-200/messages/@original')
    const { payload, file } = await readEdit(edit)
    expect(payload.content).toContain('seed `77`')
    expect(payload.attachments).toEqual([{ id: 0, filename: 'showo-77.png' }])
    const buttons = (
      payload.components as { components: { custom_id: string; label: string }[] }[]
    )[0]?.components
    expect(buttons?.map((b) => b.custom_id.split(':').slice(0, 2).join(':'))).toEqual([
      'showo:reroll',
      'showo:more',
    ])
    expect(buttons?.[1]?.label).toBe('8 steps')
    expect(new Uint8Array(await (file as File).arrayBuffer())).toEqual(fakePng(77))

    const again = await runQueue([{ body: message('200') }], { MODEL_SHA })
    expect(again.explicitAcks).toEqual(['msg-0'])
    expect(up.callsTo('discord.test')).toHaveLength(1)
    expect(up.callsTo('runner.test')).toHaveLength(1)
  })

  it('re-rolls with the new seed and adds steps with the same seed from a button', async ({
    expect,
  }) => {
    const up = fakeUpstreams({
      'runner.test': fakeRunner(),
      'discord.test': () => Response.json({ id: 'msg' }),
    })
    await runQueue([{ body: message('300', 5) }], { MODEL_SHA })
    const first = await readEdit(up.callsTo('discord.test')[0] as RecordedRequest)
    const ids =
      (first.payload.components as { components: { custom_id: string }[] }[])[0]?.components.map(
        (b) => b.custom_id
      ) ?? []
    const key = ids[0]?.split(':')[2] ?? ''
    await runQueue(
      [
        { body: { ...message('301'), render: { kind: 'reroll', key, seed: 6 } } },
        { body: { ...message('302'), render: { kind: 'more', key } } },
      ],
      { MODEL_SHA }
    )
    const sent = up.callsTo('runner.test').map((c) => JSON.parse(c.body) as Record<string, unknown>)
    expect(sent).toEqual([
      { prompt: 'a cat in a hat', seed: 5, steps: 4 },
      { prompt: 'a cat in a hat', seed: 6, steps: 4 },
      { prompt: 'a cat in a hat', seed: 5, steps: 8 },
    ])
  })

  it('retries through the queue while the runner is busy, then reports the failure', async ({
    expect,
  }) => {
    const up = fakeUpstreams({
      'runner.test': () =>
        Response.json(
          { error: { code: 'RUNNER_BUSY', message: 'full', requestId: 'r' } },
          { status: 429, headers: { 'retry-after': '20' } }
        ),
      'discord.test': () => Response.json({ id: 'msg' }),
    })
    const busy = await runQueue([{ body: message('400', 400) }], {
      MODEL_SHA,
      RUNNER_TIMEOUT_MS: '200',
    })
    expect(busy.retryMessages).toEqual([{ msgId: 'msg-0', delaySeconds: 20 }])
    expect(up.callsTo('discord.test')).toHaveLength(0)
    const last = await runQueue([{ body: message('400', 400), attempts: 6 }], {
      MODEL_SHA,
      RUNNER_TIMEOUT_MS: '200',
    })
    expect(last.explicitAcks).toEqual(['msg-0'])
    const edit = up.callsTo('discord.test')[0]
    expect(JSON.parse(edit?.body ?? '{}')).toMatchObject({
      content: '⚠️ Could not draw that: full',
    })
  })

  it('retries when Discord fails, without generating twice', async ({ expect }) => {
    let discordCalls = 0
    const up = fakeUpstreams({
      'runner.test': fakeRunner(),
      'discord.test': () => {
        discordCalls++
        return discordCalls === 1 ? new Response('oops', { status: 502 }) : Response.json({})
      },
    })
    const first = await runQueue([{ body: message('500', 500) }], { MODEL_SHA })
    expect(first.retryMessages).toHaveLength(1)
    const second = await runQueue([{ body: message('500', 500), attempts: 2 }], { MODEL_SHA })
    expect(second.explicitAcks).toEqual(['msg-0'])
    expect(discordCalls).toBe(2)
    expect(up.callsTo('runner.test')).toHaveLength(1)
  })
})
