import { LIMITS } from '@showo/contract'
import { describe, it } from 'vitest'
import { callWorker, postJson } from './call-worker.ts'
import { fakePng, fakeUpstreams } from './fake-upstreams.ts'

function runnerAnswer(): Response {
  return Response.json({ text: 'a fox', tokens: 3 })
}

describe('POST /v1/images/understand', () => {
  it('accepts a multipart upload and sends base64 to the runner', async ({ expect }) => {
    const up = fakeUpstreams({ 'runner.test': runnerAnswer })
    const form = new FormData()
    form.append('image', new File([fakePng(1)], 'x.png', { type: 'image/png' }))
    form.append('question', ' what is this? ')
    form.append('max_tokens', '20')
    const res = await callWorker('/v1/images/understand', { method: 'POST', body: form })
    expect(res.status).toBe(200)
    expect(await res.json()).toEqual({ text: 'a fox', tokens: 3 })
    const call = up.callsTo('runner.test')[0]
    expect(call?.url.pathname).toBe('/v1/understand')
    const sent = JSON.parse(call?.body ?? '{}') as { image: string; question: string }
    expect(sent).toEqual({
      image: btoa(String.fromCharCode(...fakePng(1))),
      question: 'what is this?',
      maxNewTokens: 20,
    })
  })

  it('fetches an image URL, refusing one over the size limit', async ({ expect }) => {
    fakeUpstreams({
      'runner.test': runnerAnswer,
      'images.test': (req) =>
        req.url.pathname === '/big.png'
          ? new Response(new Uint8Array(LIMITS.imageMaxBytes + 1))
          : new Response(fakePng(2)),
    })
    const ok = await postJson('/v1/images/understand', {
      image_url: 'http://images.test/small.png',
      question: 'what?',
    })
    expect(ok.status).toBe(200)
    const big = await postJson('/v1/images/understand', {
      image_url: 'http://images.test/big.png',
      question: 'what?',
    })
    expect(big.status).toBe(413)
    const json = await big.json<{ error: { code: string; message: string } }>()
    expect(json.error.code).toBe('PAYLOAD_TOO_LARGE')
    expect(json.error.message).toContain('image_url')
  })

  it('names the field when the body is wrong', async ({ expect }) => {
    fakeUpstreams({})
    const both = await postJson('/v1/images/understand', { question: 'q' })
    expect((await both.json<{ error: { message: string } }>()).error.message).toContain('image_url')
    const notImage = await postJson('/v1/images/understand', {
      image: btoa('hello world'),
      question: 'q',
    })
    expect(notImage.status).toBe(400)
    expect((await notImage.json<{ error: { message: string } }>()).error.message).toContain('image')
    const text = await callWorker('/v1/images/understand', {
      method: 'POST',
      headers: { 'content-type': 'text/plain' },
      body: 'hi',
    })
    expect(text.status).toBe(400)
  })
})
