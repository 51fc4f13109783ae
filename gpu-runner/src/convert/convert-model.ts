import { createHash } from 'node:crypto'
import {
  createReadStream,
  existsSync,
  mkdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs'
import { basename, dirname, join, resolve } from 'node:path'
import { Checkpoint } from '../checkpoint/checkpoint.ts'
import { CheckpointError } from '../checkpoint/checkpoint-error.ts'
import { MANIFEST_FORMAT, type Manifest, type TokenLayout } from '../model/manifest.ts'
import type { WeightDtype } from '../onnx/tensor-type.ts'
import { checkMagvitTensors, expectedMagvitTensors, inferMagvitConfig } from './magvit-config.ts'
import { checkTensors, expectedPhiTensors, findPhiPrefix, inferPhiConfig } from './phi-config.ts'
import { readShowoConfig } from './showo-config.ts'
import { addShowoTokens } from './tokenizer-json.ts'
import { MAGVIT_FILES, writeMagvit } from './write-magvit.ts'
import { TRANSFORMER_FILES, writeTransformer } from './write-transformer.ts'

/** Which published model the weights are: it decides the sampling defaults (spec §3.5). */
export type ModelFamily = 'show-o-turbo' | 'show-o'

/** Reports conversion progress (a TTY bar in the CLI, nothing in tests). */
export interface ConvertProgress {
  /** A new phase with the number of weight elements it will write (0 when unknown). */
  phase: (name: string, elements: number) => void
  /** Elements written in the current phase since the last call. */
  advance: (elements: number) => void
}

/** Inputs of `showo convert`. */
export interface ConvertOptions {
  showoDir: string
  vqDir: string
  tokenizerPath: string
  outDir: string
  dtype: WeightDtype
  /**
   * Precision of the image tokenizer (default fp32): on WebGPU its fp16 convolutions lose up to 3% of
   * the pixel range, and the tokenizer is small enough (95M parameters) to keep exact.
   */
  vqDtype?: WeightDtype
  family?: ModelFamily
  name?: string
  progress?: ConvertProgress
}

const quiet: ConvertProgress = { phase: () => undefined, advance: () => undefined }

/**
 * Converts a Show-o / Show-o Turbo checkpoint, a MAGVIT-v2 checkpoint and phi-1.5's tokenizer into a
 * model folder (DESIGN §2). Everything is written into a sibling temporary folder that is renamed
 * into place at the end, so a failure leaves nothing behind.
 */
export async function convertModel(options: ConvertOptions): Promise<Manifest> {
  const outDir = resolve(options.outDir)
  if (existsSync(outDir)) {
    throw new CheckpointError(`${outDir} already exists; remove it or choose another --out`)
  }
  mkdirSync(dirname(outDir), { recursive: true })
  const work = join(dirname(outDir), `.${basename(outDir)}.partial-${process.pid}`)
  rmSync(work, { recursive: true, force: true })
  mkdirSync(work)
  try {
    const manifest = await convertInto(work, outDir, options)
    renameSync(work, outDir)
    return manifest
  } catch (error) {
    rmSync(work, { recursive: true, force: true })
    throw error
  }
}

async function convertInto(
  work: string,
  outDir: string,
  options: ConvertOptions
): Promise<Manifest> {
  const progress = options.progress ?? quiet
  const showoConfig = readShowoConfig(options.showoDir)
  const showo = Checkpoint.open(options.showoDir)
  const vq = Checkpoint.open(options.vqDir)
  try {
    const prefix = findPhiPrefix(showo)
    const phi = inferPhiConfig(showo, prefix)
    const phiTensors = expectedPhiTensors(phi, prefix)
    checkTensors(showo, phiTensors)
    const vqConfig = inferMagvitConfig(vq)
    checkMagvitTensors(vq, vqConfig)

    const tokens = tokenLayout(showoConfig, phi.vocabSize, vqConfig.codebookSize, options)
    const tokenizerSource: unknown = JSON.parse(readFileSync(options.tokenizerPath, 'utf8'))
    const tokenizer = addShowoTokens(tokenizerSource, options.tokenizerPath, tokens.textVocabSize)
    tokens.bos = tokenizer.endOfText
    tokens.eos = tokenizer.endOfText
    writeFileSync(join(work, 'tokenizer.json'), JSON.stringify(tokenizer.json))

    const side = Math.sqrt(showoConfig.num_vq_tokens)
    const resolution = side * vqConfig.downsample
    if (!Number.isInteger(side) || !(resolution === 256 || resolution === 512)) {
      throw new CheckpointError(
        `${options.showoDir}: num_vq_tokens ${showoConfig.num_vq_tokens} with a ${vqConfig.downsample}× tokenizer gives no 256 or 512 px image`
      )
    }

    const count = (shapes: Iterable<number[]>): number =>
      [...shapes].reduce((a, s) => a + s.reduce((x, y) => x * y, 1), 0)
    progress.phase('transformer', count(phiTensors.values()) + tokens.codebookSize * phi.hiddenSize)
    const transformerFiles = writeTransformer(work, {
      ckpt: showo,
      prefix,
      config: phi,
      tokens,
      dtype: options.dtype,
      imageColumns: { offset: tokens.imageOffset, count: tokens.codebookSize },
      progress: progress.advance,
    })
    progress.phase('image tokenizer', count(expectedMagvitTensors(vqConfig).values()))
    const vqDtype = options.vqDtype ?? 'fp32'
    const vqFiles = writeMagvit(work, { ckpt: vq, dtype: vqDtype, progress: progress.advance })

    progress.phase('hashing', 0)
    const files = []
    for (const path of [...transformerFiles, ...vqFiles.files, 'tokenizer.json']) {
      files.push({
        path,
        bytes: statSync(join(work, path)).size,
        sha256: await sha256File(join(work, path)),
      })
    }
    const family = options.family ?? 'show-o-turbo'
    const manifest: Manifest = {
      format: MANIFEST_FORMAT,
      name: options.name ?? basename(outDir),
      family,
      dtype: options.dtype,
      createdBy: 'showo convert',
      transformer: phi,
      vq: { downsample: vqConfig.downsample, zChannels: vqConfig.zChannels, dtype: vqDtype },
      tokens,
      image: { resolution, imageTokens: showoConfig.num_vq_tokens },
      defaults: samplingDefaults(family, resolution, tokens.codebookSize),
      graphs: {
        prefill: TRANSFORMER_FILES.prefill,
        denoise: TRANSFORMER_FILES.denoise,
        decode: TRANSFORMER_FILES.decode,
        full: TRANSFORMER_FILES.full,
        vqEncoder: MAGVIT_FILES.encoder,
        vqDecoder: MAGVIT_FILES.decoder,
      },
      tokenizer: 'tokenizer.json',
      files,
    }
    writeFileSync(join(work, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`)
    return manifest
  } finally {
    showo.close()
    vq.close()
  }
}

/** Show-o's layout (spec §1.3): text vocabulary, ten added tokens, codebook, `[MASK]` last. */
function tokenLayout(
  config: ReturnType<typeof readShowoConfig>,
  vocabSize: number,
  codebookSize: number,
  options: ConvertOptions
): TokenLayout {
  const text = config.llm_vocab_size
  const imageOffset = text + 10
  const problems: string[] = []
  if (config.vocab_size !== vocabSize) {
    problems.push(`vocab_size ${config.vocab_size} but the embedding has ${vocabSize} rows`)
  }
  if (config.codebook_size !== codebookSize) {
    problems.push(
      `codebook_size ${config.codebook_size} but the image tokenizer has ${codebookSize} codes`
    )
  }
  if (
    config.mask_token_id !== imageOffset + codebookSize ||
    vocabSize !== imageOffset + codebookSize + 1
  ) {
    problems.push(
      `mask_token_id ${config.mask_token_id} does not follow llm_vocab_size + 10 + codebook_size`
    )
  }
  if (problems.length > 0) {
    throw new CheckpointError(`${join(options.showoDir, 'config.json')}: ${problems.join('; ')}`)
  }
  return {
    textVocabSize: text,
    pad: text,
    soi: text + 1,
    eoi: text + 2,
    sov: text + 3,
    eov: text + 4,
    t2i: text + 5,
    mmu: text + 6,
    t2v: text + 7,
    v2v: text + 8,
    lvg: text + 9,
    bos: 0,
    eos: 0,
    mask: config.mask_token_id,
    imageOffset,
    codebookSize,
    maxTextLength: 128,
  }
}

/** Defaults of the published inference scripts (spec §3.5). */
export function samplingDefaults(
  family: ModelFamily,
  resolution: number,
  codebookSize: number
): Manifest['defaults'] {
  if (family === 'show-o-turbo') {
    return { steps: 4, topK: resolution === 512 ? 500 : 200, guidanceScale: 0 }
  }
  return { steps: 16, topK: codebookSize, guidanceScale: 5 }
}

async function sha256File(path: string): Promise<string> {
  const hash = createHash('sha256')
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 22 })) {
    hash.update(chunk as Buffer)
  }
  return hash.digest('hex')
}
