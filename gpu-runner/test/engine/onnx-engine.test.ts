import { rmSync } from 'node:fs'
import sharp from 'sharp'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Engine, GenerateParams } from '../../src/engine/engine.ts'
import { createOnnxEngine } from '../../src/engine/onnx-engine.ts'
import { GenerationCancelledError, InvalidRequestError } from '../../src/errors.ts'
import { tinyModel } from './tiny-model.ts'

let dir: string
let engine: Engine
const live = (): AbortSignal => new AbortController().signal

function params(overrides: Partial<GenerateParams>): GenerateParams {
  return {
    prompt: 'a red cat',
    seed: 1,
    steps: 4,
    topK: 200,
    guidanceScale: 0,
    resolution: 256,
    ...overrides,
  }
}

async function png(p: GenerateParams): Promise<Uint8Array> {
  const [result] = await engine.generate([{ params: p, signal: live() }])
  if (!result?.ok) {
    throw result?.error ?? new Error('no result')
  }
  return result.value.png
}

beforeAll(async () => {
  dir = await tinyModel()
  engine = await createOnnxEngine({ modelDir: dir, ep: 'cpu' })
})
afterAll(async () => {
  await engine.close()
  rmSync(dir, { recursive: true, force: true })
})

describe('ONNX engine on the tiny model (CPU EP)', () => {
  it('describes the model it serves', () => {
    expect(engine.info).toMatchObject({
      ep: 'cpu',
      resolutions: [256],
      batchIndependent: true,
      defaults: { steps: 4, topK: 200, guidanceScale: 0, resolution: 256 },
    })
    expect(engine.info.sha).toMatch(/^[0-9a-f]{64}$/)
  })

  it('draws a 256 px PNG, the same bytes for the same request and different ones for another seed', async () => {
    const a = await png(params({}))
    const meta = await sharp(a).metadata()
    expect(meta).toMatchObject({ format: 'png', width: 256, height: 256, channels: 3 })
    expect(await png(params({}))).toEqual(a)
    expect(await png(params({ seed: 2 }))).not.toEqual(a)
  })

  it.each([0, 2.5])(
    'gives each request the same bytes alone and inside a batch (guidance %d)',
    async (guidanceScale) => {
      const batch = [
        params({ prompt: 'a red cat', seed: 5, guidanceScale }),
        params({ prompt: 'a watercolor painting of mountains', seed: 6, topK: 50, guidanceScale }),
        params({ prompt: 'two birds', seed: 7, guidanceScale: guidanceScale * 2 }),
      ]
      const together = await engine.generate(batch.map((p) => ({ params: p, signal: live() })))
      const alone = await Promise.all(batch.map((p) => png(p)))
      expect(together.map((r) => (r.ok ? r.value.png : r.error))).toEqual(alone)
    }
  )

  it('cancels a request whose signal aborts between steps and finishes the others unchanged', async () => {
    const controller = new AbortController()
    const signal = controller.signal
    const keep = params({ seed: 9 })
    const run = engine.generate([
      { params: params({ seed: 8, steps: 16 }), signal },
      { params: { ...keep, steps: 16 }, signal: live() },
    ])
    controller.abort(new Error('client went away'))
    const [cancelled, kept] = await run
    expect(cancelled?.ok).toBe(false)
    expect(cancelled?.ok === false && cancelled.error).toBeInstanceOf(GenerationCancelledError)
    expect(kept?.ok && kept.value.png).toEqual(await png({ ...keep, steps: 16 }))
  })

  it('refuses a resolution the model does not draw', async () => {
    const [result] = await engine.generate([
      { params: params({ resolution: 512 }), signal: live() },
    ])
    expect(result?.ok === false && result.error).toBeInstanceOf(InvalidRequestError)
  })

  it('answers a question about an image with Jacobi decoding', async () => {
    const image = new Uint8Array(
      await sharp({ create: { width: 300, height: 200, channels: 3, background: '#3366cc' } })
        .png()
        .toBuffer()
    )
    const answer = await engine.understand({
      image,
      question: 'What is in this image?',
      maxNewTokens: 24,
      signal: live(),
    })
    expect(answer.tokens).toBeGreaterThan(0)
    expect(answer.tokens).toBeLessThanOrEqual(24)
    expect(typeof answer.text).toBe('string')
    const again = await engine.understand({
      image,
      question: 'What is in this image?',
      maxNewTokens: 24,
      signal: live(),
    })
    expect(again.text).toBe(answer.text)
  })

  it('refuses an image it cannot read as an invalid request', async () => {
    await expect(
      engine.understand({
        image: new Uint8Array([1, 2, 3]),
        question: 'what?',
        maxNewTokens: 4,
        signal: live(),
      })
    ).rejects.toBeInstanceOf(InvalidRequestError)
  })
})
