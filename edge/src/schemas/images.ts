import { z } from '@hono/zod-openapi'
import { GuidanceScale, LIMITS, Prompt, Seed, Steps, TopK } from '@showo/contract'

/** Sizes the models are trained for, in OpenAI's `WxH` spelling. */
export const IMAGE_SIZES = ['256x256', '512x512'] as const

/**
 * `POST /v1/images/generations`: OpenAI's images request, plus Show-o's own knobs. `model` and
 * `user` are accepted because OpenAI clients may send them; the edge serves one model.
 */
export const ImageGenerationRequest = z
  .strictObject({
    prompt: Prompt,
    n: z.number().int().min(1).max(LIMITS.nMax).default(1),
    size: z.enum(IMAGE_SIZES).optional(),
    response_format: z.enum(['url', 'b64_json']).default('url'),
    seed: Seed.optional().openapi({ description: 'Drawn by the edge when absent; returned.' }),
    steps: Steps.optional(),
    guidance_scale: GuidanceScale.optional(),
    top_k: TopK.optional(),
    model: z.string().max(100).optional().openapi({ description: 'Ignored: one model is served.' }),
    user: z.string().max(256).optional(),
  })
  .openapi('ImageGenerationRequest')

/** One generated image. */
export const ImageData = z
  .object({
    url: z.url().optional(),
    b64_json: z.string().optional(),
    revised_prompt: z.string(),
    seed: Seed,
    key: z.string().openapi({ description: 'Content address: GET /v1/images/{key}.png' }),
  })
  .openapi('ImageData')

/** Response of `POST /v1/images/generations` (OpenAI's shape; `seed` and `key` are extras). */
export const ImageGenerationResponse = z
  .object({ created: z.number().int(), data: z.array(ImageData) })
  .openapi('ImageGenerationResponse')

/** Path parameter of `GET /v1/images/{key}.png`. */
export const ImageKeyParam = z.object({
  key: z
    .string()
    .regex(/^[0-9a-f]{64}$/, 'must be 64 lowercase hex characters')
    .openapi({ param: { name: 'key', in: 'path' } }),
})
