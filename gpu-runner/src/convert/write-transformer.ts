import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import type { Checkpoint } from '../checkpoint/checkpoint.ts'
import { ExternalDataWriter } from '../onnx/external-data-writer.ts'
import { floatType, type WeightDtype } from '../onnx/tensor-type.ts'
import type { MaskTokens } from './omni-mask.ts'
import type { PhiConfig } from './phi-config.ts'
import { buildTransformerGraph, type TransformerGraphKind } from './transformer-graph.ts'
import { type ImageColumns, writeTransformerWeights } from './transformer-weights.ts'
import { type ProgressSink, WeightWriter } from './weight-writer.ts'

/** File names of the transformer graphs and their shared weights inside a model folder. */
export const TRANSFORMER_FILES = {
  data: 'transformer.data',
  prefill: 'prefill.onnx',
  denoise: 'denoise.onnx',
  decode: 'decode.onnx',
  full: 'full.onnx',
} as const

/** What to write. `imageColumns` is required for the denoise graph. */
export interface WriteTransformerOptions {
  ckpt: Checkpoint
  prefix: string
  config: PhiConfig
  tokens: MaskTokens
  dtype: WeightDtype
  imageColumns?: ImageColumns
  kinds?: readonly TransformerGraphKind[]
  progress?: ProgressSink
}

/** Writes the shared weight file and each transformer graph into `dir`; returns the files written. */
export function writeTransformer(dir: string, options: WriteTransformerOptions): string[] {
  const kinds =
    options.kinds ??
    (options.imageColumns
      ? (['prefill', 'denoise', 'decode', 'full'] as const)
      : (['prefill', 'decode', 'full'] as const))
  const data = new ExternalDataWriter(join(dir, TRANSFORMER_FILES.data))
  let weights
  try {
    weights = writeTransformerWeights(
      options.ckpt,
      options.prefix,
      options.config,
      new WeightWriter(data, floatType(options.dtype), options.progress),
      options.imageColumns
    )
  } finally {
    data.close()
  }
  const files: string[] = [TRANSFORMER_FILES.data]
  for (const kind of kinds) {
    const bytes = buildTransformerGraph({
      kind,
      config: options.config,
      tokens: options.tokens,
      dtype: options.dtype,
      weights,
    })
    writeFileSync(join(dir, TRANSFORMER_FILES[kind]), bytes)
    files.push(TRANSFORMER_FILES[kind])
  }
  return files
}
