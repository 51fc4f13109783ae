import OpenAI from 'openai'
import { afterAll, beforeAll, describe, it } from 'vitest'
import { fakePngBytes, startFakeRunner, type FakeRunner } from '../fake-runner.ts'
import { startEdge, type LocalEdge } from '../start-edge.ts'

const SECRET = 'openai-test-runner-secret'
const ADMIN_TOKEN = 'openai-test-admin'
const MODEL_SHA = 'd'.repeat(64)

let runner: FakeRunner
let edge: LocalEdge
let apiKey: string

beforeAll(async () => {
  runner = await startFakeRunner({ secret: SECRET, modelSha: MODEL_SHA })
  edge = await startEdge({
    RUNNER_URL: runner.url,
    RUNNER_SECRET: SECRET,
    ADMIN_TOKEN,
    ALLOW_ANONYMOUS: 'false',
  })
  const res = await fetch(`${edge.url}/admin/keys`, {
    method: 'POST',
    headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' },
    body: JSON.stringify({ name: 'openai-client-test' }),
  })
  apiKey = ((await res.json()) as { key: string }).key
})

afterAll(async () => {
  await edge.stop()
  await runner.close()
})

describe('the official openai client against wrangler dev', () => {
  it('generates b64_json images and then serves the same request from the cache', async ({
    expect,
  }) => {
    const client = new OpenAI({ baseURL: `${edge.url}/v1`, apiKey, maxRetries: 0 })
    const first = await client.images.generate({
      prompt: 'a red fox in the snow',
      size: '256x256',
      response_format: 'b64_json',
      // Show-o extras ride along; the client passes unknown body fields through.
      seed: 1234,
    } as OpenAI.ImageGenerateParamsNonStreaming)
    const image = first.data?.[0]
    expect(Buffer.from(image?.b64_json ?? '', 'base64')).toEqual(fakePngBytes(1234))
    expect(image?.revised_prompt).toBe('a red fox in the snow')
    expect(runner.generateCalls()).toBe(1)

    const second = await client.images.generate({
      prompt: 'a red fox in the snow',
      size: '256x256',
      seed: 1234,
    } as OpenAI.ImageGenerateParamsNonStreaming)
    const url = second.data?.[0]?.url ?? ''
    expect(url).toMatch(/\/v1\/images\/[0-9a-f]{64}\.png$/)
    expect(runner.generateCalls()).toBe(1)
    const png = await fetch(url)
    expect(png.headers.get('content-type')).toBe('image/png')
    expect(Buffer.from(await png.arrayBuffer())).toEqual(fakePngBytes(1234))
  })

  it('surfaces edge errors as OpenAI API errors', async ({ expect }) => {
    const client = new OpenAI({ baseURL: `${edge.url}/v1`, apiKey, maxRetries: 0 })
    const error = await client.images.generate({ prompt: 'x', size: '1024x1024' }).then(
      () => undefined,
      (e: unknown) => e
    )
    expect(error).toBeInstanceOf(OpenAI.BadRequestError)
    expect((error as InstanceType<typeof OpenAI.BadRequestError>).message).toContain('size')
    const anonymous = new OpenAI({ baseURL: `${edge.url}/v1`, apiKey: 'sk-wrong', maxRetries: 0 })
    await expect(anonymous.images.generate({ prompt: 'x' })).rejects.toBeInstanceOf(
      OpenAI.AuthenticationError
    )
  })
})
