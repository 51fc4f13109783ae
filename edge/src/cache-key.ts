import type { Resolution } from '@showo/contract'
import { canonicalJson } from './canonical-json.ts'
import { sha256Hex } from './sha256-hex.ts'

/**
 * What decides the bytes of a generated image. `null` means "the model's default": defaults ship
 * with the model (its manifest), and the model sha is part of the key, so null is still exact.
 */
export interface ImageParams {
  prompt: string
  seed: number
  steps: number | null
  guidanceScale: number | null
  topK: number | null
  resolution: Resolution | null
}

/** A cache key: 64 lowercase hex characters. */
export const CACHE_KEY_PATTERN = /^[0-9a-f]{64}$/

/**
 * Normalises a prompt so that trivially different spellings share one image: Unicode NFC, runs of
 * whitespace folded to one space, ends trimmed. Case is kept; the tokenizer is case-sensitive.
 */
export function normalizePrompt(prompt: string): string {
  return prompt.normalize('NFC').replace(/\s+/gu, ' ').trim()
}

/** SHA-256 over the canonical JSON of model sha, task and normalised parameters (DESIGN §3). */
export async function cacheKey(modelSha: string, params: ImageParams): Promise<string> {
  return sha256Hex(
    canonicalJson({
      model: modelSha,
      task: 't2i',
      prompt: normalizePrompt(params.prompt),
      seed: params.seed,
      steps: params.steps,
      guidance: params.guidanceScale,
      top_k: params.topK,
      size: params.resolution,
    })
  )
}
