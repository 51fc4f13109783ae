import { describe, expect, it } from 'vitest'
import { describeIssues } from './describe-issues.ts'
import { GenerateRequest } from './generate.ts'

describe('GenerateRequest', () => {
  it('trims the prompt and keeps optional fields optional', () => {
    expect(GenerateRequest.parse({ prompt: '  a cat ', seed: 7 })).toEqual({
      prompt: 'a cat',
      seed: 7,
    })
  })

  it.each([
    [{ seed: 1 }, 'prompt'],
    [{ prompt: '   ', seed: 1 }, 'prompt'],
    [{ prompt: 'x', seed: -1 }, 'seed'],
    [{ prompt: 'x', seed: 1.5 }, 'seed'],
    [{ prompt: 'x', seed: 2 ** 32 }, 'seed'],
    [{ prompt: 'x', seed: 1, steps: 0 }, 'steps'],
    [{ prompt: 'x', seed: 1, steps: 51 }, 'steps'],
    [{ prompt: 'x', seed: 1, topK: 0 }, 'topK'],
    [{ prompt: 'x', seed: 1, guidanceScale: 21 }, 'guidanceScale'],
    [{ prompt: 'x', seed: 1, resolution: 300 }, 'resolution'],
    [{ prompt: 'x', seed: 1, extra: true }, 'extra'],
  ])('names the bad field in %j', (body, field) => {
    const result = GenerateRequest.safeParse(body)
    expect(result.error && describeIssues(result.error)).toContain(field)
  })
})
