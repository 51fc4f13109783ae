import { z } from '@hono/zod-openapi'
import { LIMITS } from '@showo/contract'

const Question = z
  .string()
  .max(LIMITS.questionMaxChars)
  .transform((s) => s.trim())
  .pipe(z.string().min(1, 'must not be empty'))

const MaxTokens = z.number().int().min(1).max(LIMITS.maxNewTokensMax)

/** JSON form: the image by URL (fetched by the edge, size-capped) or inline as base64. */
export const UnderstandJsonBody = z
  .strictObject({
    image_url: z.url().optional(),
    image: z.base64().optional().openapi({ description: 'Base64 PNG, JPEG or WebP' }),
    question: Question,
    max_tokens: MaxTokens.optional(),
  })
  .superRefine((body, ctx) => {
    if ((body.image_url === undefined) === (body.image === undefined)) {
      ctx.addIssue({
        code: 'custom',
        path: ['image_url'],
        message: 'give exactly one of image_url or image',
      })
    }
  })
  .openapi('UnderstandJsonRequest')

/** Multipart form: an uploaded image file plus the question. */
export const UnderstandFormBody = z
  .object({
    image: z
      .custom<File>((v) => v instanceof File, 'must be an uploaded file')
      .openapi({ type: 'string', format: 'binary' }),
    question: Question,
    max_tokens: z.coerce.number().pipe(MaxTokens).optional(),
  })
  .openapi('UnderstandFormRequest')

/** Answer of `POST /v1/images/understand`. */
export const UnderstandAnswer = z
  .object({ text: z.string(), tokens: z.number().int() })
  .openapi('UnderstandResponse')
