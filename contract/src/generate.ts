import { z } from 'zod'
import { LIMITS } from './limits.ts'

/** A text-to-image seed: a 32-bit unsigned integer, so it survives JSON, headers and Discord options. */
export const Seed = z.number().int().min(0).max(LIMITS.seedMax)

/** Number of parallel-decoding steps. */
export const Steps = z.number().int().min(LIMITS.stepsMin).max(LIMITS.stepsMax)

/** Top-k over the 8192 codebook entries. */
export const TopK = z.number().int().min(LIMITS.topKMin).max(LIMITS.topKMax)

/** Classifier-free guidance weight; 0 skips the unconditional pass (the Turbo default). */
export const GuidanceScale = z.number().min(LIMITS.guidanceMin).max(LIMITS.guidanceMax)

/** Prompt text; whitespace is trimmed and must leave something. */
export const Prompt = z
  .string()
  .max(LIMITS.promptMaxChars)
  .transform((s) => s.trim())
  .pipe(z.string().min(1, 'must not be empty'))

/** Image side in pixels. */
export const Resolution = z.union([z.literal(256), z.literal(512)])

/** An image side the models are trained for. */
export type Resolution = z.infer<typeof Resolution>

/** Body of the runner's `POST /v1/generate`. Optional fields take the model's defaults. */
export const GenerateRequest = z.strictObject({
  prompt: Prompt,
  seed: Seed,
  steps: Steps.optional(),
  topK: TopK.optional(),
  guidanceScale: GuidanceScale.optional(),
  resolution: Resolution.optional(),
})

/** A parsed generate request. */
export type GenerateRequest = z.infer<typeof GenerateRequest>

/** Body of the runner's `POST /v1/understand`: a base64 image (PNG, JPEG or WebP) and a question. */
export const UnderstandRequest = z.strictObject({
  image: z
    .string()
    .min(1)
    .max(Math.ceil((LIMITS.imageMaxBytes * 4) / 3) + 4)
    .regex(/^[A-Za-z0-9+/]+={0,2}$/, 'must be base64'),
  question: z
    .string()
    .max(LIMITS.questionMaxChars)
    .transform((s) => s.trim())
    .pipe(z.string().min(1, 'must not be empty')),
  maxNewTokens: z.number().int().min(1).max(LIMITS.maxNewTokensMax).optional(),
})

/** A parsed understand request. */
export type UnderstandRequest = z.infer<typeof UnderstandRequest>

/** Answer of `POST /v1/understand`. */
export const UnderstandResponse = z.object({
  text: z.string(),
  tokens: z.number().int().min(0),
})

/** A parsed understand answer. */
export type UnderstandResponse = z.infer<typeof UnderstandResponse>

/** Response headers of `POST /v1/generate` that the edge reads. */
export const RESULT_HEADERS = {
  seed: 'x-seed',
  steps: 'x-steps',
  model: 'x-model',
  requestId: 'x-request-id',
  timing: 'server-timing',
} as const
