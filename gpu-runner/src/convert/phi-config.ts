import type { Checkpoint } from '../checkpoint/checkpoint.ts'
import { CheckpointError } from '../checkpoint/checkpoint-error.ts'

/** Architecture of Show-o's Phi transformer (spec §1.1). */
export interface PhiConfig {
  hiddenSize: number
  numLayers: number
  numHeads: number
  headDim: number
  intermediateSize: number
  vocabSize: number
  layerNormEps: number
  /** Dimensions of each head that RoPE rotates (partial rotary: head_dim × 0.5 for Phi-1.5). */
  rotaryDim: number
  ropeTheta: number
  /** Positions covered by the rotary tables. */
  maxPositions: number
}

/** Values a checkpoint's tensor shapes cannot tell; Phi-1.5's are the defaults (spec §1.1). */
export interface PhiHints {
  layerNormEps?: number
  ropeTheta?: number
  partialRotaryFactor?: number
  maxPositions?: number
}

const PHI_15 = {
  layerNormEps: 1e-5,
  ropeTheta: 10_000,
  partialRotaryFactor: 0.5,
  maxPositions: 2048,
}

/** Key prefixes under which checkpoints store the Phi model: Show-o's wrapper, or a bare Phi. */
const PREFIXES = ['showo.', ''] as const

/** Finds the key prefix of the transformer in a checkpoint. */
export function findPhiPrefix(ckpt: Checkpoint): string {
  for (const prefix of PREFIXES) {
    if (ckpt.has(`${prefix}model.embed_tokens.weight`)) {
      return prefix
    }
  }
  throw new CheckpointError(
    `${ckpt.source}: not a Show-o checkpoint (missing tensor 'showo.model.embed_tokens.weight')`
  )
}

/**
 * Reads the architecture off the tensor shapes (the embedding gives vocabulary and width, the
 * per-head q LayerNorm gives the head size, fc1 the MLP width, the layer indices the depth).
 */
export function inferPhiConfig(ckpt: Checkpoint, prefix: string, hints: PhiHints = {}): PhiConfig {
  const need = (name: string, rank: number): number[] => {
    const full = `${prefix}${name}`
    if (!ckpt.has(full)) {
      throw new CheckpointError(`${ckpt.source}: missing tensor '${full}'`)
    }
    const shape = ckpt.shape(full)
    if (shape.length !== rank) {
      throw new CheckpointError(
        `${ckpt.source}: tensor '${full}' has shape [${shape.join(', ')}], expected rank ${rank}`
      )
    }
    return shape
  }
  const [vocabSize = 0, hiddenSize = 0] = need('model.embed_tokens.weight', 2)
  const [headDim = 0] = need('model.layers.0.self_attn.q_layernorm.weight', 1)
  const [intermediateSize = 0] = need('model.layers.0.mlp.fc1.weight', 2)
  const layerPattern = new RegExp(`^${prefix.replace('.', '\\.')}model\\.layers\\.(\\d+)\\.`)
  let numLayers = 0
  for (const name of ckpt.names()) {
    const match = layerPattern.exec(name)
    if (match?.[1]) {
      numLayers = Math.max(numLayers, Number(match[1]) + 1)
    }
  }
  if (headDim === 0 || hiddenSize % headDim !== 0) {
    throw new CheckpointError(
      `${ckpt.source}: q_layernorm size ${headDim} does not divide the hidden size ${hiddenSize}`
    )
  }
  const h = { ...PHI_15, ...hints }
  const rotaryDim = Math.floor(headDim * h.partialRotaryFactor)
  if (rotaryDim % 2 !== 0 || rotaryDim === 0) {
    throw new CheckpointError(`rotary dimension ${rotaryDim} must be even and positive`)
  }
  return {
    hiddenSize,
    numLayers,
    numHeads: hiddenSize / headDim,
    headDim,
    intermediateSize,
    vocabSize,
    layerNormEps: h.layerNormEps,
    rotaryDim,
    ropeTheta: h.ropeTheta,
    maxPositions: h.maxPositions,
  }
}

/** Every tensor a Show-o transformer checkpoint must hold, with its shape. */
export function expectedPhiTensors(c: PhiConfig, prefix: string): Map<string, number[]> {
  const H = c.hiddenSize
  const out = new Map<string, number[]>([
    [`${prefix}model.embed_tokens.weight`, [c.vocabSize, H]],
    [`${prefix}model.final_layernorm.weight`, [H]],
    [`${prefix}model.final_layernorm.bias`, [H]],
    [`${prefix}lm_head.weight`, [c.vocabSize, H]],
    [`${prefix}lm_head.bias`, [c.vocabSize]],
  ])
  for (let i = 0; i < c.numLayers; i++) {
    const l = `${prefix}model.layers.${i}.`
    out.set(`${l}input_layernorm.weight`, [H])
    out.set(`${l}input_layernorm.bias`, [H])
    for (const proj of ['q_proj', 'k_proj', 'v_proj', 'dense']) {
      out.set(`${l}self_attn.${proj}.weight`, [H, H])
      out.set(`${l}self_attn.${proj}.bias`, [H])
    }
    for (const norm of ['q_layernorm', 'k_layernorm']) {
      out.set(`${l}self_attn.${norm}.weight`, [c.headDim])
      out.set(`${l}self_attn.${norm}.bias`, [c.headDim])
    }
    out.set(`${l}mlp.fc1.weight`, [c.intermediateSize, H])
    out.set(`${l}mlp.fc1.bias`, [c.intermediateSize])
    out.set(`${l}mlp.fc2.weight`, [H, c.intermediateSize])
    out.set(`${l}mlp.fc2.bias`, [H])
  }
  return out
}

/**
 * Refuses a checkpoint whose tensors differ from the expected set, naming the first missing, extra
 * or misshapen tensor. `ignored` lists buffers that may be present and are not used.
 */
export function checkTensors(
  ckpt: Checkpoint,
  expected: ReadonlyMap<string, number[]>,
  ignored: readonly string[] = []
): void {
  for (const [name, shape] of expected) {
    if (!ckpt.has(name)) {
      throw new CheckpointError(`${ckpt.source}: missing tensor '${name}'`)
    }
    const actual = ckpt.shape(name)
    if (actual.length !== shape.length || actual.some((d, i) => d !== shape[i])) {
      throw new CheckpointError(
        `${ckpt.source}: tensor '${name}' has shape [${actual.join(', ')}], expected [${shape.join(', ')}]`
      )
    }
  }
  for (const name of ckpt.names()) {
    if (!expected.has(name) && !ignored.includes(name)) {
      throw new CheckpointError(`${ckpt.source}: unexpected tensor '${name}'`)
    }
  }
}
