import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { writeSafetensors, type TensorSource } from '../checkpoint/write-safetensors.ts'
import { expectedMagvitTensors, type MagvitConfig } from './magvit-config.ts'
import { expectedPhiTensors, type PhiConfig } from './phi-config.ts'
import type { Preset } from './presets.ts'
import { SHOWO_ADDED_TOKENS } from './tokenizer-json.ts'
import { TINY_CORPUS } from './tiny-corpus.ts'
import { trainByteLevelBpe } from './train-bpe.ts'

/** Where {@link writeRandomSources} put the inputs of `showo convert`. */
export interface RandomSources {
  showoDir: string
  vqDir: string
  tokenizerPath: string
}

/**
 * Writes what `showo convert` reads, with random weights at a preset's size: a Show-o checkpoint
 * folder (`pytorch_model.safetensors` + `config.json`), a MAGVIT-v2 folder and a BPE tokenizer.
 * Deterministic for a seed. Tensors are written block by block, so the `full` preset's 5.8 GB never
 * sits in memory.
 */
export function writeRandomSources(dir: string, preset: Preset, seed: number): RandomSources {
  const tokenizer = trainByteLevelBpe(TINY_CORPUS, preset.bpeMerges)
  const trained = Object.keys(tokenizer.model.vocab).length
  const textVocabSize = preset.textVocabSize ?? trained
  const imageOffset = textVocabSize + SHOWO_ADDED_TOKENS.length
  const codebookSize = 2 ** preset.vq.zChannels
  const vocabSize = imageOffset + codebookSize + 1
  const imageTokens = (preset.resolution / 2 ** (preset.vq.encoder.channels.length - 1)) ** 2
  const phi: PhiConfig = {
    ...preset.phi,
    numHeads: preset.phi.hiddenSize / preset.phi.headDim,
    vocabSize,
    layerNormEps: 1e-5,
    rotaryDim: preset.phi.headDim / 2,
    ropeTheta: 10_000,
    maxPositions: 2048,
  }
  const sources: RandomSources = {
    showoDir: join(dir, 'show-o'),
    vqDir: join(dir, 'magvitv2'),
    tokenizerPath: join(dir, 'tokenizer.json'),
  }
  mkdirSync(sources.showoDir, { recursive: true })
  mkdirSync(sources.vqDir, { recursive: true })
  writeFileSync(sources.tokenizerPath, JSON.stringify(tokenizer))
  writeFileSync(
    join(sources.showoDir, 'config.json'),
    JSON.stringify({
      _class_name: 'Showo',
      codebook_size: codebookSize,
      llm_vocab_size: textVocabSize,
      mask_token_id: vocabSize - 1,
      num_vq_tokens: imageTokens,
      vocab_size: vocabSize,
      w_clip_vit: false,
    })
  )
  const phiTensors = [...expectedPhiTensors(phi, 'showo.')].map(([name, shape], i) =>
    randomTensor(name, shape, seed, i)
  )
  writeSafetensors(join(sources.showoDir, 'pytorch_model.safetensors'), phiTensors)
  const vq: MagvitConfig = {
    ...preset.vq,
    codebookSize,
    downsample: 2 ** (preset.vq.encoder.channels.length - 1),
  }
  const vqTensors = [...expectedMagvitTensors(vq)].map(([name, shape], i) =>
    randomTensor(name, shape, seed + 1, i)
  )
  writeSafetensors(join(sources.vqDir, 'pytorch_model.safetensors'), vqTensors)
  writeFileSync(join(sources.vqDir, 'config.json'), JSON.stringify({ _class_name: 'MAGVITv2' }))
  return sources
}

/**
 * A tensor of uniform noise scaled so activations stay near unit size through the network: weights
 * by 1/√fan-in, norms near 1, the LM head wider so the random model still has clear argmaxes.
 * Each value depends only on (seed, tensor, index), so blocks can be generated in any order.
 */
function randomTensor(name: string, shape: number[], seed: number, index: number): TensorSource {
  const fanIn = shape.slice(1).reduce((a, b) => a * b, 1)
  let center = 0
  let std: number
  if (name.endsWith('embed_tokens.weight')) {
    std = 1
  } else if (name.endsWith('lm_head.weight')) {
    std = 4 / Math.sqrt(fanIn)
  } else if (/(norm|layernorm|norm1|norm2|norm_out)\.weight$/.test(name)) {
    center = 1
    std = 0.1
  } else if (name === 'quantize.embedding') {
    return codebookTensor(name, shape)
  } else if (name === 'quantize.power_vals') {
    const bits = shape[0] ?? 0
    return {
      name,
      shape,
      fill: (start, out) => {
        out.forEach((_, k) => (out[k] = 2 ** (bits - 1 - (start + k))))
      },
    }
  } else if (shape.length === 1) {
    std = 0.05
  } else {
    std = 1 / Math.sqrt(fanIn)
  }
  const scale = std * Math.sqrt(3) // uniform on [-a, a] has std a/√3
  const base = Math.imul(seed ^ 0x9e3779b9, 0x85ebca6b) ^ Math.imul(index + 1, 0xc2b2ae35)
  return {
    name,
    shape,
    fill: (start, out) => {
      const offset = start * fanIn
      for (let k = 0; k < out.length; k++) {
        out[k] = center + scale * (2 * unitHash(base, offset + k) - 1)
      }
    },
  }
}

/** The LFQ codebook buffer: row i holds the ±1 bits of i, most significant first (spec §5.3). */
function codebookTensor(name: string, shape: number[]): TensorSource {
  const bits = shape[1] ?? 0
  return {
    name,
    shape,
    fill: (start, out) => {
      for (let r = 0; r < out.length / bits; r++) {
        for (let c = 0; c < bits; c++) {
          out[r * bits + c] = (((start + r) >> (bits - 1 - c)) & 1) * 2 - 1
        }
      }
    },
  }
}

/** A hash of (base, i) mapped to [0, 1): murmur3's finaliser, cheap and well mixed. */
function unitHash(base: number, i: number): number {
  let h = base ^ Math.imul(i, 0x27d4eb2d)
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b)
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35)
  h ^= h >>> 16
  return (h >>> 0) / 4294967296
}
