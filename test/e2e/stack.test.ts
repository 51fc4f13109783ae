// The whole product end to end: the runner (`showo serve`, tiny model, CPU EP) and the edge under
// real `wrangler dev`, started once for this file with an empty R2/KV/queue state. Third parties
// (a webhook receiver, Discord's API) are local recorders; everything of ours is the real thing.
import { randomBytes } from 'node:crypto'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { chromium } from 'playwright-core'
import { afterAll, assert, beforeAll, describe, expect, it } from 'vitest'
import { expectedCacheKey, runnerSignature, verifyStandardWebhook } from './support/contract.ts'
import { makeDiscordKeys, signInteraction } from './support/discord-keys.ts'
import { type E2eStack, readyModelSha, startE2eStack, useStackHooks } from './support/e2e-stack.ts'
import { type ErrorEnvelope, type Exchange, postJson, send } from './support/http.ts'
import { PNG_SIGNATURE, decodePng } from './support/png.ts'
import { pollFor } from './support/poll.ts'
import { scrapeMetrics, sumSamples } from './support/prometheus.ts'
import { type Recorder, startRecorder } from './support/recorder.ts'

/** Debian's Chromium (`apt-get install chromium`); Playwright never downloads a browser here. */
const CHROMIUM = '/usr/bin/chromium'
const WEBHOOK_SECRET = `whsec_${randomBytes(32).toString('base64')}`
const DISCORD_APP_ID = '100000000000000001'
const discordKeys = makeDiscordKeys()

/** What `POST /v1/images/generations` answers. */
interface Generation {
  created: number
  data: { url?: string; b64_json?: string; revised_prompt: string; seed: number; key: string }[]
}

/** A job as `GET /v1/jobs/{id}` and the webhook body show it. */
interface JobView {
  id: string
  status: 'queued' | 'running' | 'succeeded' | 'failed'
  seed: number
  result: { key: string; url: string; seed: number; steps: number | null; model: string } | null
  error: { code: string; message: string } | null
  webhook: { state: 'pending' | 'delivered' | 'failed'; attempts: number } | null
}

let stack: E2eStack
let discordApi: Recorder
let modelSha: string
/** Undone in reverse order after the file, also when the start failed halfway. */
const cleanups: (() => Promise<void>)[] = []
let diagnostics = (): string => '(the stack did not start)'

/** Key of a request that leaves steps, guidance, top-k and size to the model. */
function defaultKey(prompt: string, seed: number): string {
  return expectedCacheKey(modelSha, {
    prompt,
    seed,
    steps: null,
    guidance: null,
    topK: null,
    size: null,
  })
}

function generate(body: Record<string, unknown>): ReturnType<typeof postJson> {
  return postJson(`${stack.edgeUrl}/v1/images/generations`, body)
}

/** The first image of a `response_format: 'b64_json'` answer, as bytes. */
function firstImage(res: Exchange): Buffer<ArrayBuffer> {
  return Buffer.from((res.json() as Generation).data[0]?.b64_json ?? '', 'base64')
}

async function generationCounts(): Promise<{ requests: number; ok: number; batches: number }> {
  const metrics = await scrapeMetrics(stack.runnerUrl)
  return {
    requests: sumSamples(metrics, 'showo_runner_requests_total', { route: '/v1/generate' }),
    ok: sumSamples(metrics, 'showo_runner_requests_total', { route: '/v1/generate', code: 'OK' }),
    batches: sumSamples(metrics, 'showo_runner_batch_size_count'),
  }
}

beforeAll(async () => {
  // Discord's API stand-in: the edge's queue consumer edits the deferred reply here.
  discordApi = await startRecorder((r) =>
    r.method === 'PATCH'
      ? { status: 200, body: JSON.stringify({ id: '200000000000000002', type: 0 }) }
      : { status: 404, body: '{"message":"Unknown Webhook","code":10015}' }
  )
  cleanups.push(discordApi.close)
  stack = await startE2eStack({
    edgeVars: {
      DISCORD_PUBLIC_KEY: discordKeys.publicKeyHex,
      DISCORD_API_BASE: `${discordApi.url}/api/v10`,
      WEBHOOK_SIGNING_SECRET: WEBHOOK_SECRET,
      // Every call of this file comes from 127.0.0.1; the default 20 per minute is not under test.
      RATE_LIMIT_PER_IP: '100000',
    },
  })
  cleanups.push(stack.dispose)
  diagnostics = stack.diagnostics
  modelSha = await readyModelSha(stack.runnerUrl)
})

useStackHooks(cleanups, () => diagnostics())

describe('POST /v1/images/generations', () => {
  it('answers with the URL of a valid 256 px PNG and its receipt (x-seed, x-cache; x-model, x-steps)', async () => {
    const prompt = 'a lighthouse at sunset'
    const res = await generate({ prompt: '  a lighthouse   at sunset ', seed: 7, steps: 4 })
    assert.strictEqual(res.status, 200, res.summary)
    assert.strictEqual(res.headers.get('x-seed'), '7', res.summary)
    assert.strictEqual(res.headers.get('x-cache'), 'miss', res.summary)
    const body = res.json() as Generation
    assert.lengthOf(body.data, 1, res.summary)
    const item = body.data[0]!
    // Content address of DESIGN §3, over the normalised prompt.
    const key = expectedCacheKey(modelSha, {
      prompt,
      seed: 7,
      steps: 4,
      guidance: null,
      topK: null,
      size: null,
    })
    expect(item).toEqual({
      url: `${stack.edgeUrl}/v1/images/${key}.png`,
      revised_prompt: prompt,
      seed: 7,
      key,
    })

    const image = await send(item.url!)
    assert.strictEqual(image.status, 200, image.summary)
    expect(image.headers.get('content-type')).toBe('image/png')
    assert.strictEqual(image.headers.get('x-model'), modelSha, image.summary)
    assert.strictEqual(image.headers.get('x-seed'), '7', image.summary)
    assert.strictEqual(image.headers.get('x-steps'), '4', image.summary)
    expect(image.headers.get('etag')).toBe(`"${key}"`)
    expect(image.headers.get('cache-control')).toContain('immutable')
    expect(image.bytes.subarray(0, 8).equals(PNG_SIGNATURE)).toBe(true)
    const png = await decodePng(image.bytes)
    expect({ format: png.format, width: png.width, height: png.height }).toEqual({
      format: 'png',
      width: 256,
      height: 256,
    })
    expect(png.pixels.length).toBe(256 * 256 * png.channels)
    assert.isAbove(new Set(png.pixels).size, 1, 'a drawn image, not one flat colour')
  })

  it('gives the same bytes for the same seed (cached, b64_json, and redrawn by the runner) and other bytes for another seed', async () => {
    const prompt = 'a red fox in the snow, watercolor'
    const first = await generate({ prompt, seed: 11, response_format: 'b64_json' })
    assert.strictEqual(first.status, 200, first.summary)
    assert.strictEqual(first.headers.get('x-cache'), 'miss', first.summary)
    const firstItem = (first.json() as Generation).data[0]!
    expect(firstItem.key).toBe(defaultKey(prompt, 11))
    expect(firstItem.url).toBeUndefined()
    const bytes = firstImage(first)
    expect((await decodePng(bytes)).width).toBe(256)

    const again = await generate({ prompt, seed: 11, response_format: 'b64_json' })
    assert.strictEqual(again.headers.get('x-cache'), 'hit', again.summary)
    expect(firstImage(again).equals(bytes)).toBe(true)

    const byUrl = await generate({ prompt, seed: 11 })
    const served = await send((byUrl.json() as Generation).data[0]!.url!)
    assert.strictEqual(served.status, 200, served.summary)
    assert.strictEqual(served.bytes.equals(bytes), true, 'CDN bytes = b64_json bytes')

    // Not only the cache: the runner draws the very same bytes again for the same request.
    const runnerBody = JSON.stringify({ prompt, seed: 11 })
    const redrawn = await send(`${stack.runnerUrl}/v1/generate`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-showo-signature': runnerSignature(stack.secret, runnerBody),
      },
      body: runnerBody,
    })
    assert.strictEqual(redrawn.status, 200, redrawn.summary)
    expect(redrawn.headers.get('x-model')).toBe(modelSha)
    assert.strictEqual(redrawn.bytes.equals(bytes), true, 'a fresh runner draw = the cached image')

    const other = await generate({ prompt, seed: 12, response_format: 'b64_json' })
    assert.strictEqual(other.status, 200, other.summary)
    expect(other.headers.get('x-seed')).toBe('12')
    expect(other.headers.get('x-cache')).toBe('miss')
    const otherItem = (other.json() as Generation).data[0]!
    expect(otherItem.key).not.toBe(firstItem.key)
    const otherBytes = firstImage(other)
    expect((await decodePng(otherBytes)).width).toBe(256)
    assert.strictEqual(
      otherBytes.equals(bytes),
      false,
      'seed 12 must not draw the bytes of seed 11'
    )
  })

  it('serves a repeated request from the cache without any runner work (x-cache and /metrics)', async () => {
    const prompt = 'a paper boat on a pond'
    const before = await generationCounts()
    const miss = await generate({ prompt, seed: 21 })
    assert.strictEqual(miss.status, 200, miss.summary)
    assert.strictEqual(miss.headers.get('x-cache'), 'miss', miss.summary)
    const afterMiss = await generationCounts()
    // The counter moves for a miss, so an unchanged counter below really means "no runner call".
    expect(afterMiss).toEqual({
      requests: before.requests + 1,
      ok: before.ok + 1,
      batches: before.batches + 1,
    })

    const hit = await generate({ prompt, seed: 21 })
    assert.strictEqual(hit.status, 200, hit.summary)
    assert.strictEqual(hit.headers.get('x-cache'), 'hit', hit.summary)
    expect((hit.json() as Generation).data[0]!.key).toBe((miss.json() as Generation).data[0]!.key)
    const hitBytes = await generate({ prompt, seed: 21, response_format: 'b64_json' })
    assert.strictEqual(hitBytes.headers.get('x-cache'), 'hit', hitBytes.summary)
    expect(await generationCounts()).toEqual(afterMiss)
  })
})

describe('POST /v1/images/understand', () => {
  it('answers a question about an uploaded image with { text, tokens } from the runner', async () => {
    const drawn = await generate({
      prompt: 'a green apple on a table',
      seed: 3,
      response_format: 'b64_json',
    })
    assert.strictEqual(drawn.status, 200, drawn.summary)
    const image = firstImage(drawn)
    const metrics = await scrapeMetrics(stack.runnerUrl)
    const understandBefore = sumSamples(metrics, 'showo_runner_requests_total', {
      route: '/v1/understand',
      code: 'OK',
    })

    const form = new FormData()
    form.append('image', new Blob([image], { type: 'image/png' }), 'apple.png')
    form.append('question', 'What is in this picture?')
    form.append('max_tokens', '8')
    const res = await send(`${stack.edgeUrl}/v1/images/understand`, { method: 'POST', body: form })
    assert.strictEqual(res.status, 200, res.summary)
    const answer = res.json() as { text: unknown; tokens: unknown }
    expect(Object.keys(answer).sort()).toEqual(['text', 'tokens'])
    assert.strictEqual(typeof answer.text, 'string', res.summary)
    assert.strictEqual(Number.isInteger(answer.tokens), true, res.summary)
    // A random tiny model may well stop at once; the bound is what max_tokens allows.
    expect(answer.tokens as number).toBeGreaterThanOrEqual(0)
    expect(answer.tokens as number).toBeLessThanOrEqual(8)
    const after = sumSamples(await scrapeMetrics(stack.runnerUrl), 'showo_runner_requests_total', {
      route: '/v1/understand',
      code: 'OK',
    })
    assert.strictEqual(after, understandBefore + 1, 'the answer came from the runner')

    // The JSON form (base64 image) reaches the same model: Jacobi decoding is deterministic, so
    // the same image and question get the same answer.
    const viaJson = await postJson(`${stack.edgeUrl}/v1/images/understand`, {
      image: image.toString('base64'),
      question: 'What is in this picture?',
      max_tokens: 8,
    })
    assert.strictEqual(viaJson.status, 200, viaJson.summary)
    expect(viaJson.json()).toEqual(answer)
  })
})

describe('POST /v1/jobs with a webhook', () => {
  let receiver: Recorder | undefined
  afterAll(async () => {
    await receiver?.close()
  })

  it('runs the job on the queue and delivers a signed job.succeeded webhook', async () => {
    receiver = await startRecorder(() => ({ status: 204 }))
    const prompt = 'a hot air balloon over hills'
    const submitted = await postJson(`${stack.edgeUrl}/v1/jobs`, {
      prompt,
      seed: 31,
      webhook_url: `${receiver.url}/hooks/showo`,
    })
    assert.strictEqual(submitted.status, 202, submitted.summary)
    const job = submitted.json() as JobView
    expect(job.id).toMatch(/^[0-9a-f-]{36}$/)
    expect(job.status).toBe('queued')
    expect(job.webhook).toEqual({ state: 'pending', attempts: 0 })
    expect(submitted.headers.get('location')).toBe(`/v1/jobs/${job.id}`)

    const delivery = await receiver.waitFor(
      'the job webhook',
      (r) => r.method === 'POST' && r.url === '/hooks/showo',
      150_000
    )
    const body = delivery.body.toString('utf8')
    const headers = {
      id: delivery.headers['webhook-id'] as string | undefined,
      timestamp: delivery.headers['webhook-timestamp'] as string | undefined,
      signature: delivery.headers['webhook-signature'] as string | undefined,
    }
    expect(headers.id).toBe(job.id)
    expect(Math.abs(Date.now() / 1000 - Number(headers.timestamp))).toBeLessThanOrEqual(300)
    expect(
      verifyStandardWebhook(WEBHOOK_SECRET, headers, body),
      `signature ${headers.signature}`
    ).toBe(true)
    // The check above is not vacuous: it refuses another body and another secret.
    expect(
      verifyStandardWebhook(WEBHOOK_SECRET, headers, body.replace('succeeded', 'failed'))
    ).toBe(false)
    expect(
      verifyStandardWebhook(`whsec_${randomBytes(32).toString('base64')}`, headers, body)
    ).toBe(false)

    const event = JSON.parse(body) as { type: string; data: JobView }
    const key = defaultKey(prompt, 31)
    expect(event.type).toBe('job.succeeded')
    expect(event.data).toMatchObject({
      id: job.id,
      status: 'succeeded',
      seed: 31,
      error: null,
      result: { key, url: `${stack.edgeUrl}/v1/images/${key}.png`, seed: 31, model: modelSha },
    })

    // The record says "delivered" once the receiver's 204 is back.
    const done = await pollFor(
      'the job to show its webhook as delivered',
      async () => {
        const view = (await send(`${stack.edgeUrl}/v1/jobs/${job.id}`)).json() as JobView
        return view.webhook?.state === 'delivered' ? view : undefined
      },
      { timeoutMs: 60_000, intervalMs: 250 }
    )
    expect(done.status).toBe('succeeded')
    expect(done.result).toEqual(event.data.result)
    expect(done.webhook).toEqual({ state: 'delivered', attempts: 1 })
    expect(receiver.requests).toHaveLength(1)

    const image = await send(done.result!.url)
    assert.strictEqual(image.status, 200, image.summary)
    expect((await decodePng(image.bytes)).width).toBe(256)
  })
})

describe('POST /discord/interactions', () => {
  const endpoint = (): string => `${stack.edgeUrl}/discord/interactions`
  const sendInteraction = (
    body: string,
    headers: Record<string, string>
  ): ReturnType<typeof send> =>
    send(endpoint(), {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body,
    })

  it('answers a signed PING with PONG and refuses forged signatures with 401', async () => {
    const ping = JSON.stringify({
      id: '300000000000000001',
      application_id: DISCORD_APP_ID,
      type: 1,
    })
    const pong = await sendInteraction(ping, signInteraction(discordKeys.privateKey, ping))
    assert.strictEqual(pong.status, 200, pong.summary)
    expect(pong.json()).toEqual({ type: 1 })

    const stranger = makeDiscordKeys()
    for (const headers of [
      signInteraction(stranger.privateKey, ping),
      signInteraction(discordKeys.privateKey, ping.replace('"type":1', '"type": 1')),
    ]) {
      const refused = await sendInteraction(ping, headers)
      assert.strictEqual(refused.status, 401, refused.summary)
      const { error } = refused.json() as ErrorEnvelope
      expect(error.code).toBe('UNAUTHORIZED')
      expect(error.message).toMatch(/signature/)
      expect(error.requestId).toBe(refused.headers.get('x-request-id'))
    }
  })

  it('defers /imagine at once, then edits @original with the PNG through the Discord API', async () => {
    const prompt = 'a castle in the clouds'
    const token = `interaction-token-${randomBytes(8).toString('hex')}`
    const command = JSON.stringify({
      id: '300000000000000002',
      application_id: DISCORD_APP_ID,
      type: 2,
      token,
      data: {
        name: 'imagine',
        type: 1,
        options: [
          { name: 'prompt', type: 3, value: prompt },
          { name: 'seed', type: 4, value: 41 },
        ],
      },
    })
    const deferred = await sendInteraction(
      command,
      signInteraction(discordKeys.privateKey, command)
    )
    assert.strictEqual(deferred.status, 200, deferred.summary)
    expect(deferred.json()).toEqual({ type: 5 })

    const edit = await discordApi.waitFor(
      'the edit of the original response',
      (r) => r.url === `/api/v10/webhooks/${DISCORD_APP_ID}/${token}/messages/@original`,
      150_000
    )
    expect(edit.method).toBe('PATCH')
    expect(edit.headers['content-type']).toMatch(/^multipart\/form-data; boundary=/)
    const form = await new Response(new Uint8Array(edit.body), {
      headers: { 'content-type': edit.headers['content-type'] ?? '' },
    }).formData()
    const payloadJson = form.get('payload_json')
    assert.isString(payloadJson)
    const payload = JSON.parse(payloadJson as string) as {
      content: string
      attachments: unknown
      components: { components: { custom_id: string }[] }[]
    }
    expect(payload.content).toContain(prompt)
    expect(payload.content).toContain('41')
    expect(payload.attachments).toEqual([{ id: 0, filename: 'showo-41.png' }])
    const key = defaultKey(prompt, 41)
    expect(payload.components[0]?.components.map((b) => b.custom_id)).toEqual([
      `showo:reroll:${key}`,
      `showo:more:${key}`,
    ])
    const file = form.get('files[0]')
    expect(file).toBeInstanceOf(File)
    expect((file as File).name).toBe('showo-41.png')
    const png = Buffer.from(await (file as File).arrayBuffer())
    expect((await decodePng(png)).width).toBe(256)

    // Discord and the API share one cache: the same request is now a hit with the same bytes.
    const api = await generate({ prompt, seed: 41, response_format: 'b64_json' })
    assert.strictEqual(api.headers.get('x-cache'), 'hit', api.summary)
    expect(firstImage(api).equals(png)).toBe(true)
  })
})

describe('GET / (playground) in headless Chromium', () => {
  it('types a prompt, submits, and shows the generated 256 px image', async () => {
    const profile = await mkdtemp(join(tmpdir(), 'showo-e2e-chromium-'))
    const browserLog: string[] = []
    const context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    })
    try {
      const page = context.pages()[0] ?? (await context.newPage())
      page.on('console', (m) => browserLog.push(`console.${m.type()}: ${m.text()}`))
      page.on('pageerror', (e) => browserLog.push(`pageerror: ${e.message}`))
      page.on('requestfailed', (r) =>
        browserLog.push(`requestfailed: ${r.url()} ${r.failure()?.errorText ?? ''}`)
      )
      const loaded = await page.goto(`${stack.edgeUrl}/`)
      expect(loaded?.status()).toBe(200)

      const prompt = 'a lighthouse in a storm'
      await page.locator('#prompt').fill(prompt)
      await page.locator('#seed').fill('51')
      await page.getByRole('button', { name: 'Generate' }).click()

      // Settled: the image has loaded or failed (`complete`), or the page shows an error instead.
      await page.waitForFunction(
        () => {
          const img = document.querySelector<HTMLImageElement>('#out img')
          const status = document.querySelector('#status')?.textContent ?? ''
          return img ? img.complete : status !== '' && !status.startsWith('Generating')
        },
        undefined,
        { timeout: 150_000 }
      )
      const status = await page.locator('#status').textContent()
      const shown = await page.evaluate(() => {
        const img = document.querySelector<HTMLImageElement>('#out img')
        return img
          ? {
              src: img.src,
              alt: img.alt,
              naturalWidth: img.naturalWidth,
              naturalHeight: img.naturalHeight,
            }
          : null
      })
      const key = expectedCacheKey(modelSha, {
        prompt,
        seed: 51,
        steps: 4,
        guidance: null,
        topK: null,
        size: 256,
      })
      assert.deepEqual(
        shown,
        {
          src: `${stack.edgeUrl}/v1/images/${key}.png`,
          alt: prompt,
          naturalWidth: 256,
          naturalHeight: 256,
        },
        `status: ${status ?? ''}\n${browserLog.join('\n')}`
      )
      expect(status).toMatch(/^seed 51 · miss · \d+ ms$/)
    } catch (error) {
      console.error(`browser log:\n${browserLog.join('\n')}`)
      throw error
    } finally {
      await context.close()
      await rm(profile, { recursive: true, force: true })
    }
  })
})
