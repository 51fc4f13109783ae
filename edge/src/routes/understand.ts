import { createRoute, type z } from '@hono/zod-openapi'
import { LIMITS } from '@showo/contract'
import { getConfig } from '../app-env.ts'
import { auth } from '../auth.ts'
import { toBase64, fromBase64 } from '../base64.ts'
import { requireSetting } from '../config.ts'
import { EdgeError } from '../errors.ts'
import { assertImageBytes, fetchImage, readCapped } from '../fetch-image.ts'
import { createRunnerClient } from '../runner-client.ts'
import { createRouter } from '../router.ts'
import { errorResponses } from '../schemas/errors.ts'
import { UnderstandAnswer, UnderstandFormBody, UnderstandJsonBody } from '../schemas/understand.ts'
import { limitBody } from './images.ts'

// Room for the image plus base64 growth and the other fields.
const BODY_LIMIT = Math.ceil((LIMITS.imageMaxBytes * 4) / 3) + 64 * 1024

const understandRoute = createRoute({
  method: 'post',
  path: '/v1/images/understand',
  summary: 'Answer a question about an image (upload, URL or base64)',
  middleware: [limitBody(BODY_LIMIT), auth()] as const,
  request: {
    body: {
      content: {
        'application/json': { schema: UnderstandJsonBody },
        'multipart/form-data': { schema: UnderstandFormBody },
      },
    },
  },
  responses: {
    200: { description: 'Answer', content: { 'application/json': { schema: UnderstandAnswer } } },
    ...errorResponses(400, 401, 413, 429, 502, 503, 504),
  },
})

async function uploadedBytes(file: File): Promise<Uint8Array<ArrayBuffer>> {
  if (file.size > LIMITS.imageMaxBytes) {
    throw new EdgeError('PAYLOAD_TOO_LARGE', `image: larger than ${LIMITS.imageMaxBytes} bytes.`)
  }
  // File streams are byte streams; workers-types leaves their chunk type open.
  return readCapped(file.stream() as ReadableStream<Uint8Array>, LIMITS.imageMaxBytes, 'image')
}

/** `POST /v1/images/understand`. */
export function understandRoutes(): ReturnType<typeof createRouter> {
  const router = createRouter()
  router.openapi(understandRoute, async (c) => {
    const runner = requireSetting(getConfig(c).runner)
    const isJson = (c.req.header('content-type') ?? '').includes('json')
    let image: Uint8Array<ArrayBuffer>
    let question: string
    let maxTokens: number | undefined
    if (isJson) {
      // zod-openapi types each target as the union of both media types; the JSON one applies here.
      const body = c.req.valid('json') as z.output<typeof UnderstandJsonBody>
      image = body.image_url
        ? await fetchImage(body.image_url, LIMITS.imageMaxBytes)
        : fromBase64(body.image ?? '')
      question = body.question
      maxTokens = body.max_tokens
    } else {
      const form = c.req.valid('form') as z.output<typeof UnderstandFormBody>
      if (!(form.image instanceof File)) {
        throw new EdgeError('INVALID_REQUEST', 'body: send JSON or multipart/form-data.')
      }
      image = await uploadedBytes(form.image)
      question = form.question
      maxTokens = form.max_tokens
    }
    if (image.byteLength > LIMITS.imageMaxBytes) {
      throw new EdgeError('PAYLOAD_TOO_LARGE', `image: larger than ${LIMITS.imageMaxBytes} bytes.`)
    }
    assertImageBytes(image, 'image')
    const answer = await createRunnerClient(runner).understand(
      {
        image: toBase64(image),
        question,
        ...(maxTokens === undefined ? {} : { maxNewTokens: maxTokens }),
      },
      c.get('requestId')
    )
    return c.json({ text: answer.text, tokens: answer.tokens }, 200)
  })
  return router
}
