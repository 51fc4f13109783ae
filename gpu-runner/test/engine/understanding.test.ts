import { rmSync } from 'node:fs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Understanding } from '../../src/engine/understanding.ts'
import { ShowoModel } from '../../src/model/showo-model.ts'
import { tinyModel } from './tiny-model.ts'

let dir: string
let model: ShowoModel

beforeAll(async () => {
  dir = await tinyModel(23)
  model = ShowoModel.open(dir, { ep: 'cpu' })
})
afterAll(async () => {
  await model.close()
  rmSync(dir, { recursive: true, force: true })
})

describe('Jacobi decoding with the key/value cache', () => {
  it.each([
    ['a short question', 'What is in this image?', 40],
    ['a long answer', 'Describe the picture in detail.', 100],
  ])('gives exactly the greedy answer for %s', async (_name, question, maxNewTokens) => {
    const understanding = new Understanding(model)
    const codes = Array.from(
      { length: model.manifest.image.imageTokens },
      (_, i) => (i * 37) % model.manifest.tokens.codebookSize
    )
    const prompt = model.tokenizer.understandingPrompt(codes, question)
    const greedy = await understanding.decodeIds(prompt, maxNewTokens, { method: 'greedy' })
    const jacobi = await understanding.decodeIds(prompt, maxNewTokens, { method: 'jacobi' })
    expect(greedy.tokens.length).toBeGreaterThan(0)
    expect(jacobi.tokens).toEqual(greedy.tokens)
  })
})
