import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import type { Checkpoint } from '../checkpoint/checkpoint.ts'
import { ExternalDataWriter } from '../onnx/external-data-writer.ts'
import { floatType, type WeightDtype } from '../onnx/tensor-type.ts'
import { checkMagvitTensors, inferMagvitConfig, type MagvitConfig } from './magvit-config.ts'
import { buildVqDecoderGraph, buildVqEncoderGraph } from './magvit-graph.ts'
import { type ProgressSink, WeightWriter } from './weight-writer.ts'

/** File names of the tokenizer graphs and their weights inside a model folder. */
export const MAGVIT_FILES = {
  encoder: 'vq-encoder.onnx',
  encoderData: 'vq-encoder.data',
  decoder: 'vq-decoder.onnx',
  decoderData: 'vq-decoder.data',
} as const

/** What to write. */
export interface WriteMagvitOptions {
  /** The MAGVIT-v2 checkpoint (`encoder.*`, `decoder.*`, optionally `quantize.*`). */
  ckpt: Checkpoint
  dtype: WeightDtype
  progress?: ProgressSink
}

/** The files written and the architecture, for the manifest (`vq.downsample`, `vq.zChannels`). */
export interface WrittenMagvit {
  files: string[]
  config: MagvitConfig
}

/**
 * Checks the checkpoint against its inferred architecture, then writes `vq-encoder.onnx` and
 * `vq-decoder.onnx` into `dir`, each with its own external data file. Weights stream from the
 * checkpoint tensor by tensor.
 */
export function writeMagvit(dir: string, options: WriteMagvitOptions): WrittenMagvit {
  const { ckpt } = options
  const config = inferMagvitConfig(ckpt)
  checkMagvitTensors(ckpt, config)
  const type = floatType(options.dtype)
  const graphs = [
    { file: MAGVIT_FILES.encoder, data: MAGVIT_FILES.encoderData, build: buildVqEncoderGraph },
    { file: MAGVIT_FILES.decoder, data: MAGVIT_FILES.decoderData, build: buildVqDecoderGraph },
  ]
  const files: string[] = []
  for (const graph of graphs) {
    const data = new ExternalDataWriter(join(dir, graph.data))
    let bytes: Uint8Array
    try {
      bytes = graph.build({
        config,
        ckpt,
        weights: new WeightWriter(data, type, options.progress),
        progress: options.progress,
      })
    } finally {
      data.close()
    }
    writeFileSync(join(dir, graph.file), bytes)
    files.push(graph.data, graph.file)
  }
  return { files, config }
}
