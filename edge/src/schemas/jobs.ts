import { z } from '@hono/zod-openapi'
import { ERROR_CODES, GuidanceScale, Prompt, Seed, Steps, TopK } from '@showo/contract'
import { IMAGE_SIZES } from './images.ts'

/** `POST /v1/jobs`: one image, generated in the background; optional signed webhook. */
export const JobRequest = z
  .strictObject({
    prompt: Prompt,
    size: z.enum(IMAGE_SIZES).optional(),
    seed: Seed.optional(),
    steps: Steps.optional(),
    guidance_scale: GuidanceScale.optional(),
    top_k: TopK.optional(),
    webhook_url: z
      .url({ protocol: /^https?$/ })
      .max(2048)
      .optional()
      .openapi({ description: 'POSTed job.succeeded / job.failed, signed (Standard Webhooks)' }),
  })
  .openapi('JobRequest')

/** A job as clients see it. */
export const JobView = z
  .object({
    id: z.string(),
    status: z.enum(['queued', 'running', 'succeeded', 'failed']),
    created_at: z.string(),
    updated_at: z.string(),
    seed: Seed,
    result: z
      .object({
        key: z.string(),
        url: z.string(),
        seed: z.number(),
        steps: z.number().nullable(),
        model: z.string(),
      })
      .nullable(),
    error: z.object({ code: z.enum(ERROR_CODES), message: z.string() }).nullable(),
    webhook: z
      .object({ state: z.enum(['pending', 'delivered', 'failed']), attempts: z.number() })
      .nullable(),
  })
  .openapi('Job')

/** Path parameter of `GET /v1/jobs/{id}`. */
export const JobIdParam = z.object({
  id: z.uuid().openapi({ param: { name: 'id', in: 'path' } }),
})
