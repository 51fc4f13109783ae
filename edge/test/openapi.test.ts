import { LIMITS } from '@showo/contract'
import { describe, it } from 'vitest'
import { callWorker } from './call-worker.ts'

interface OpenApiDoc {
  openapi: string
  paths: Record<string, Record<string, unknown>>
  components: { schemas: Record<string, { properties?: Record<string, { maxLength?: number }> }> }
}

describe('documents and pages', () => {
  it('publishes OpenAPI generated from the zod schemas, limits included', async ({ expect }) => {
    const res = await callWorker('/openapi.json')
    expect(res.status).toBe(200)
    const doc = await res.json<OpenApiDoc>()
    expect(doc.openapi).toBe('3.1.0')
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining([
        '/v1/images/generations',
        '/v1/images/{key}.png',
        '/v1/images/understand',
        '/v1/jobs',
        '/v1/jobs/{id}',
      ]) as unknown
    )
    const request = doc.components.schemas.ImageGenerationRequest
    expect(request?.properties?.prompt?.maxLength).toBe(LIMITS.promptMaxChars)
  })

  it('serves the playground page, which calls the public API', async ({ expect }) => {
    const res = await callWorker('/')
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toContain('text/html')
    const html = await res.text()
    expect(html).toContain('<form')
    expect(html).toContain("fetch('/v1/images/generations'")
  })

  it('answers unknown routes with the 404 envelope', async ({ expect }) => {
    const res = await callWorker('/nope')
    expect(res.status).toBe(404)
    expect((await res.json<{ error: { code: string } }>()).error.code).toBe('NOT_FOUND')
  })
})
