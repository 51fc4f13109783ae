import type { TensorSource } from '../../src/checkpoint/write-safetensors.ts'
import {
  expectedMagvitTensors,
  type MagvitConfig,
  QUANTIZE_EMBEDDING,
  QUANTIZE_POWER_VALS,
} from '../../src/convert/magvit-config.ts'

/** A small deterministic PRNG (mulberry32): the same seed gives the same checkpoint everywhere. */
export function prng(seed: number): () => number {
  let s = seed >>> 0
  return () => {
    s = (s + 0x6d2b79f5) >>> 0
    let t = s
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

/** A MAGVIT-like config from per-side widths and depths (the real model's layout rules). */
export function tinyMagvitConfig(options: {
  encoderCh: number
  encoder: { channels: number[]; numResBlocks: number[] }
  decoder: { channels: number[]; numResBlocks: number[] }
  zChannels: number
}): MagvitConfig {
  return {
    imageChannels: 3,
    ...options,
    codebookSize: 2 ** options.zChannels,
    downsample: 2 ** (options.encoder.channels.length - 1),
  }
}

/**
 * Every tensor of a checkpoint of that architecture, random but well scaled: conv weights with
 * variance 1/fan-in (activations stay O(1) through the blocks), GroupNorm scales near 1, small
 * biases; plus the LFQ buffers as the reference stores them (float32 here).
 */
export function randomMagvitTensors(config: MagvitConfig, seed: number): TensorSource[] {
  const random = prng(seed)
  const uniform = (bound: number): number => (random() * 2 - 1) * bound
  const tensors: TensorSource[] = []
  for (const [name, shape] of expectedMagvitTensors(config)) {
    const isNorm = name.includes('norm')
    const values = new Float32Array(shape.reduce((a, b) => a * b, 1))
    if (shape.length === 4) {
      const fanIn = (shape[1] ?? 1) * (shape[2] ?? 1) * (shape[3] ?? 1)
      values.forEach((_, i) => (values[i] = uniform(Math.sqrt(3 / fanIn))))
    } else {
      values.forEach(
        (_, i) => (values[i] = isNorm && name.endsWith('.weight') ? 1 + uniform(0.2) : uniform(0.1))
      )
    }
    tensors.push(fromValues(name, shape, values))
  }
  const z = config.zChannels
  tensors.push(
    fromValues(
      QUANTIZE_POWER_VALS,
      [z],
      Float32Array.from({ length: z }, (_, c) => 2 ** (z - 1 - c))
    ),
    fromValues(
      QUANTIZE_EMBEDDING,
      [config.codebookSize, z],
      Float32Array.from({ length: config.codebookSize * z }, (_, i) => {
        const code = Math.floor(i / z)
        return ((code >> (z - 1 - (i % z))) & 1) * 2 - 1
      })
    )
  )
  return tensors
}

/** A tensor source over values held in memory. */
export function fromValues(
  name: string,
  shape: readonly number[],
  values: Float32Array
): TensorSource {
  const rowSize = shape.slice(1).reduce((a, b) => a * b, 1)
  return {
    name,
    shape,
    fill: (start, out) => {
      out.set(values.subarray(start * rowSize, start * rowSize + out.length))
    },
  }
}

/** Uniform values in [−1, 1], like normalised pixels. */
export function randomPixels(count: number, seed: number): Float32Array {
  const random = prng(seed)
  return Float32Array.from({ length: count }, () => random() * 2 - 1)
}
