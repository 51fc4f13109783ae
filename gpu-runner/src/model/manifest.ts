import { createHash } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { z } from 'zod'
import { describeIssues } from '@showo/contract'

/**
 * Format tag of the model folders this code reads and writes. Bumped when the graphs' inputs or
 * outputs change: 2 added `top_k`/`top_logits` to denoise and `next_tokens` to decode.
 */
export const MANIFEST_FORMAT = 'showo-model/2'

const count = z.number().int().positive()
const id = z.number().int().min(0)

/** Show-o's token-id layout (spec §1.3): text vocabulary, 10 added tokens, codebook, mask. */
export const TokenLayout = z.object({
  textVocabSize: count,
  pad: id,
  soi: id,
  eoi: id,
  sov: id,
  eov: id,
  t2i: id,
  mmu: id,
  t2v: id,
  v2v: id,
  lvg: id,
  /** `<|endoftext|>`: bos, eos and the `<|sot|>` of understanding prompts (one id in phi-1.5). */
  bos: id,
  eos: id,
  mask: id,
  imageOffset: id,
  codebookSize: count,
  /** Prompt tokens fit in a block of maxTextLength + 1 (129 for the real models, spec §3.1). */
  maxTextLength: count,
})

/** A parsed token layout. */
export type TokenLayout = z.infer<typeof TokenLayout>

/** The transformer's architecture (mirrors the converter's PhiConfig). */
export const TransformerConfig = z.object({
  hiddenSize: count,
  numLayers: count,
  numHeads: count,
  headDim: count,
  intermediateSize: count,
  vocabSize: count,
  layerNormEps: z.number().positive(),
  rotaryDim: count,
  ropeTheta: z.number().positive(),
  maxPositions: count,
})

/** The model folder's description: everything the engine needs besides the graphs. */
export const Manifest = z.object({
  format: z.literal(MANIFEST_FORMAT),
  name: z.string().min(1),
  family: z.enum(['show-o-turbo', 'show-o']),
  dtype: z.enum(['fp32', 'fp16']),
  createdBy: z.string(),
  transformer: TransformerConfig,
  vq: z.object({ downsample: count, zChannels: count, dtype: z.enum(['fp32', 'fp16']) }),
  tokens: TokenLayout,
  image: z.object({
    resolution: z.union([z.literal(256), z.literal(512)]).or(count),
    imageTokens: count,
  }),
  defaults: z.object({
    steps: count,
    topK: count,
    guidanceScale: z.number().min(0),
  }),
  graphs: z.object({
    prefill: z.string(),
    denoise: z.string(),
    decode: z.string(),
    full: z.string(),
    vqEncoder: z.string(),
    vqDecoder: z.string(),
  }),
  tokenizer: z.string(),
  files: z.array(
    z.object({
      path: z.string().min(1),
      bytes: z.number().int().min(0),
      sha256: z.string().regex(/^[0-9a-f]{64}$/),
    })
  ),
})

/** A parsed manifest. */
export type Manifest = z.infer<typeof Manifest>

/** A model folder that cannot be used: missing, unreadable or inconsistent. */
export class ModelFolderError extends Error {
  override readonly name = 'ModelFolderError'
}

/** The manifest of a model folder and the sha256 of its bytes (the model's identity). */
export interface LoadedManifest {
  manifest: Manifest
  sha: string
}

/** Reads and validates `manifest.json` of a model folder. */
export function readManifest(dir: string): LoadedManifest {
  const path = join(dir, 'manifest.json')
  let bytes: Buffer
  try {
    bytes = readFileSync(path)
  } catch {
    throw new ModelFolderError(
      `${dir}: not a model folder (no manifest.json); create one with 'showo convert' or 'showo make-tiny'`
    )
  }
  let json: unknown
  try {
    json = JSON.parse(bytes.toString('utf8'))
  } catch (error) {
    throw new ModelFolderError(`${path}: not valid JSON (${(error as Error).message})`)
  }
  const format = (json as { format?: unknown } | null)?.format
  if (
    typeof format === 'string' &&
    format.startsWith('showo-model/') &&
    format !== MANIFEST_FORMAT
  ) {
    throw new ModelFolderError(
      `${path}: made for format ${format}, this version reads ${MANIFEST_FORMAT}; convert the checkpoints again (showo convert or showo make-tiny)`
    )
  }
  const parsed = Manifest.safeParse(json)
  if (!parsed.success) {
    throw new ModelFolderError(`${path}: ${describeIssues(parsed.error)}`)
  }
  checkLayout(path, parsed.data)
  return { manifest: parsed.data, sha: createHash('sha256').update(bytes).digest('hex') }
}

/** True when `dir` holds a model folder this version reads (present, valid, current format). */
export function isCurrentModelFolder(dir: string): boolean {
  try {
    readManifest(dir)
    return true
  } catch {
    return false
  }
}

function checkLayout(path: string, m: Manifest): void {
  const t = m.tokens
  const problems: string[] = []
  if (t.mask !== t.imageOffset + t.codebookSize) {
    problems.push(
      `tokens.mask ${t.mask} should follow the codebook (${t.imageOffset} + ${t.codebookSize})`
    )
  }
  if (m.transformer.vocabSize !== t.mask + 1) {
    problems.push(`transformer.vocabSize ${m.transformer.vocabSize} should be tokens.mask + 1`)
  }
  if (m.image.imageTokens !== (m.image.resolution / m.vq.downsample) ** 2) {
    problems.push(
      `image.imageTokens ${m.image.imageTokens} does not match resolution ${m.image.resolution} / ${m.vq.downsample}`
    )
  }
  if (2 ** m.vq.zChannels !== t.codebookSize) {
    problems.push(`tokens.codebookSize ${t.codebookSize} is not 2^vq.zChannels`)
  }
  if (problems.length > 0) {
    throw new ModelFolderError(`${path}: ${problems.join('; ')}`)
  }
}
