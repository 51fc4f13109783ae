import { describe, expect, it } from 'vitest'
import { SIGNATURE_HEADER, signRequest } from '@showo/contract'
import { readError } from './support/envelope.ts'
import { TEST_NOW_S, TEST_SECRET, signedPost } from './support/signed-request.ts'
import { createTestApp } from './support/test-app.ts'

const body = { prompt: 'a cat', seed: 7 }

describe('request signatures (401 UNAUTHORIZED)', () => {
  it.each([
    ['missing', { sign: false }, 'is missing'],
    ['signed with another secret', { secret: 'another-secret-123456' }, 'does not match'],
    ['older than 300 s', { nowS: TEST_NOW_S - 301 }, 'outside the accepted time window'],
    [
      'more than 300 s in the future',
      { nowS: TEST_NOW_S + 301 },
      'outside the accepted time window',
    ],
  ])('refuses a request whose signature is %s', async (_name, options, reason) => {
    const { app, engine } = createTestApp()
    const response = await app.request(await signedPost('/v1/generate', body, options))
    const error = await readError(response)
    expect(error).toMatchObject({ status: 401, code: 'UNAUTHORIZED' })
    expect(error.message).toContain(reason)
    expect(error.requestId).toBe(error.requestIdHeader)
    expect(engine.batches).toEqual([])
  })

  it('refuses a malformed signature header', async () => {
    const { app } = createTestApp()
    const request = await signedPost('/v1/generate', body, {
      sign: false,
      headers: { [SIGNATURE_HEADER]: 't=now,v1=zz' },
    })
    const error = await readError(await app.request(request))
    expect(error).toMatchObject({ status: 401, code: 'UNAUTHORIZED' })
    expect(error.message).toContain('malformed')
  })

  it('refuses a body changed after signing (the MAC covers the raw bytes)', async () => {
    const { app } = createTestApp()
    const signed = JSON.stringify(body)
    const header = await signRequest(TEST_SECRET, signed, TEST_NOW_S)
    const request = await signedPost('/v1/generate', body, {
      sign: false,
      rawBody: JSON.stringify({ ...body, seed: 8 }),
      headers: { [SIGNATURE_HEADER]: header },
    })
    expect((await readError(await app.request(request))).code).toBe('UNAUTHORIZED')
  })

  it('checks the signature over the exact bytes, whitespace included', async () => {
    const { app } = createTestApp()
    const raw = '{ "prompt" : "a cat",\n "seed": 7 }'
    const response = await app.request(
      await signedPost('/v1/generate', undefined, { rawBody: raw })
    )
    expect(response.status).toBe(200)
  })

  it('accepts a signature exactly 300 s old', async () => {
    const { app } = createTestApp()
    const request = await signedPost('/v1/generate', body, { nowS: TEST_NOW_S - 300 })
    expect((await app.request(request)).status).toBe(200)
  })

  it('guards /v1/understand too', async () => {
    const { app } = createTestApp()
    const request = await signedPost(
      '/v1/understand',
      { image: 'AAAA', question: 'what is it?' },
      { sign: false }
    )
    expect((await readError(await app.request(request))).code).toBe('UNAUTHORIZED')
  })

  it('skips the check only when no secret is configured (development)', async () => {
    const { app } = createTestApp({ secret: null })
    const request = await signedPost('/v1/generate', body, { sign: false })
    expect((await app.request(request)).status).toBe(200)
  })
})
