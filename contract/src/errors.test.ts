import { describe, expect, it } from 'vitest'
import {
  ERROR_CODES,
  ERROR_DOCS,
  ERROR_STATUS,
  ErrorEnvelope,
  isErrorCode,
  toErrorEnvelope,
} from './errors.ts'

describe('error codes', () => {
  it('gives every code a status in the 4xx/5xx range and a doc line', () => {
    for (const code of ERROR_CODES) {
      expect(ERROR_STATUS[code]).toBeGreaterThanOrEqual(400)
      expect(ERROR_STATUS[code]).toBeLessThan(600)
      expect(ERROR_DOCS[code].length).toBeGreaterThan(10)
    }
  })

  it('builds envelopes that parse with the shared schema', () => {
    const env = toErrorEnvelope('RUNNER_BUSY', 'queue full', 'req-1')
    expect(ErrorEnvelope.parse(env)).toEqual(env)
    expect(isErrorCode('RUNNER_BUSY')).toBe(true)
    expect(isErrorCode('toString')).toBe(false)
  })
})
