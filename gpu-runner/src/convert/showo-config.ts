import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { z } from 'zod'
import { describeIssues } from '@showo/contract'
import { CheckpointError } from '../checkpoint/checkpoint-error.ts'

/** The fields of a Show-o checkpoint's `config.json` the converter uses (spec §1.2). */
export const ShowoConfigJson = z.object({
  vocab_size: z.number().int().positive(),
  llm_vocab_size: z.number().int().positive(),
  codebook_size: z.number().int().positive(),
  num_vq_tokens: z.number().int().positive(),
  mask_token_id: z.number().int().min(0),
  w_clip_vit: z.boolean().optional(),
})

/** A parsed Show-o config. */
export type ShowoConfigJson = z.infer<typeof ShowoConfigJson>

/** Reads `config.json` from a Show-o checkpoint folder. */
export function readShowoConfig(dir: string): ShowoConfigJson {
  const path = join(dir, 'config.json')
  let json: unknown
  try {
    json = JSON.parse(readFileSync(path, 'utf8'))
  } catch (error) {
    throw new CheckpointError(
      `${path}: cannot read the Show-o config (${(error as Error).message})`
    )
  }
  const parsed = ShowoConfigJson.safeParse(json)
  if (!parsed.success) {
    throw new CheckpointError(`${path}: ${describeIssues(parsed.error)}`)
  }
  if (parsed.data.w_clip_vit) {
    throw new CheckpointError(
      `${path}: CLIP-ViT variants are not supported (Show-o Turbo uses the discrete tokenizer)`
    )
  }
  return parsed.data
}
