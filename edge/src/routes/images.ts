import { createRoute } from '@hono/zod-openapi'
import type { MiddlewareHandler } from 'hono'
import { bodyLimit } from 'hono/body-limit'
import { getConfig, type AppEnv } from '../app-env.ts'
import { auth } from '../auth.ts'
import { toBase64 } from '../base64.ts'
import { normalizePrompt } from '../cache-key.ts'
import { requireSetting } from '../config.ts'
import { EdgeError } from '../errors.ts'
import { createImageGenerator } from '../image-generator.ts'
import { createRouter } from '../router.ts'
import { errorResponses } from '../schemas/errors.ts'
import {
  ImageGenerationRequest,
  ImageGenerationResponse,
  ImageKeyParam,
} from '../schemas/images.ts'
import { drawSeed, nthSeed } from '../seed.ts'
import { serveImage } from '../serve-image.ts'

/** JSON bodies are small: the longest prompt plus options. */
export const JSON_BODY_LIMIT = 64 * 1024

/** Rejects an oversized body before it is read, as the shared 413 error. */
export function limitBody(maxSize: number): MiddlewareHandler<AppEnv> {
  return bodyLimit({
    maxSize,
    onError: () => {
      throw new EdgeError('PAYLOAD_TOO_LARGE', `body: larger than ${maxSize} bytes.`)
    },
  })
}

const generateRoute = createRoute({
  method: 'post',
  path: '/v1/images/generations',
  summary: 'Generate images (OpenAI images shape)',
  middleware: [limitBody(JSON_BODY_LIMIT), auth()] as const,
  request: {
    body: { required: true, content: { 'application/json': { schema: ImageGenerationRequest } } },
  },
  responses: {
    200: {
      description: 'Images; `x-seed` lists the seeds, `x-cache` says hit|miss|joined per image',
      content: { 'application/json': { schema: ImageGenerationResponse } },
    },
    ...errorResponses(400, 401, 413, 429, 502, 503, 504),
  },
})

/** Routes of the image API and the image CDN. */
export function imageRoutes(): ReturnType<typeof createRouter> {
  const router = createRouter()

  router.openapi(generateRoute, async (c) => {
    const body = c.req.valid('json')
    const config = getConfig(c)
    const generator = createImageGenerator(c.env, requireSetting(config.runner), c.get('requestId'))
    const first = body.seed ?? drawSeed()
    const prompt = normalizePrompt(body.prompt)
    const wantBytes = body.response_format === 'b64_json'
    const results = await Promise.all(
      Array.from({ length: body.n }, (_, i) =>
        generator.generate(
          {
            prompt,
            seed: nthSeed(first, i),
            steps: body.steps ?? null,
            guidanceScale: body.guidance_scale ?? null,
            topK: body.top_k ?? null,
            resolution: body.size === undefined ? null : body.size === '512x512' ? 512 : 256,
          },
          { wantBytes }
        )
      )
    )
    const origin = config.publicBaseUrl ?? new URL(c.req.url).origin
    const data = results.map((r) => ({
      ...(wantBytes && r.png
        ? { b64_json: toBase64(r.png) }
        : { url: `${origin}/v1/images/${r.key}.png` }),
      revised_prompt: prompt,
      seed: r.receipt.seed,
      key: r.key,
    }))
    c.header('x-seed', results.map((r) => r.receipt.seed).join(','))
    c.header('x-cache', results.map((r) => r.outcome).join(','))
    return c.json({ created: Math.floor(Date.now() / 1000), data }, 200)
  })

  // Hono paths cannot end in a literal after a parameter, so the route matches `<key>.png` with a
  // pattern and the OpenAPI entry is registered by hand under its real shape.
  router.get('/v1/images/:file{[0-9a-f]{64}\\.png}', (c) => {
    const key = c.req.param('file').slice(0, 64)
    return serveImage(
      {
        bucket: c.env.IMAGES,
        waitUntil: (p) => {
          c.executionCtx.waitUntil(p)
        },
      },
      key,
      c.req.header('if-none-match') ?? null
    )
  })
  router.openAPIRegistry.registerPath({
    method: 'get',
    path: '/v1/images/{key}.png',
    summary: 'A generated image by its content address (immutable; ETag = key)',
    request: { params: ImageKeyParam },
    responses: {
      200: { description: 'PNG; `x-cache: hit|miss`', content: { 'image/png': { schema: {} } } },
      304: { description: 'Not modified (If-None-Match matched the key)' },
      ...errorResponses(404),
    },
  })

  return router
}
