import { describe, expect, it } from 'vitest'
import { signRequest, verifySignature } from './signature.ts'

const secret = 'test-secret'
const body = '{"prompt":"a cat","seed":1}'

describe('request signatures', () => {
  it('accepts a body signed with the same secret within the window', async () => {
    const header = await signRequest(secret, body, 1_000_000)
    expect(header).toMatch(/^t=1000000,v1=[0-9a-f]{64}$/)
    await expect(verifySignature(secret, header, body, 1_000_299)).resolves.toEqual({ ok: true })
  })

  it('refuses a missing, malformed, stale, tampered or wrongly keyed signature', async () => {
    const header = await signRequest(secret, body, 1_000_000)
    await expect(verifySignature(secret, undefined, body, 1_000_000)).resolves.toEqual({
      ok: false,
      reason: 'missing',
    })
    await expect(verifySignature(secret, 't=abc,v1=00', body, 1_000_000)).resolves.toEqual({
      ok: false,
      reason: 'malformed',
    })
    await expect(verifySignature(secret, header, body, 1_000_301)).resolves.toEqual({
      ok: false,
      reason: 'expired',
    })
    await expect(verifySignature(secret, header, body, 999_699)).resolves.toEqual({
      ok: false,
      reason: 'expired',
    })
    await expect(verifySignature(secret, header, body + ' ', 1_000_000)).resolves.toEqual({
      ok: false,
      reason: 'mismatch',
    })
    await expect(verifySignature('other', header, body, 1_000_000)).resolves.toEqual({
      ok: false,
      reason: 'mismatch',
    })
  })

  it('signs raw bytes the same as the equal string', async () => {
    const a = await signRequest(secret, body, 5)
    const b = await signRequest(secret, new TextEncoder().encode(body), 5)
    expect(a).toBe(b)
  })
})
