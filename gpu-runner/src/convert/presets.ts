import type { MagvitConfig } from './magvit-config.ts'

/** Sizes of a randomly initialised model: the Show-o architecture at a chosen scale. */
export interface Preset {
  name: 'tiny' | 'small' | 'full'
  phi: { hiddenSize: number; numLayers: number; headDim: number; intermediateSize: number }
  /** Text vocabulary the model is built for; `undefined` = exactly the trained tokenizer's size. */
  textVocabSize: number | undefined
  bpeMerges: number
  vq: Omit<MagvitConfig, 'codebookSize' | 'downsample'>
  resolution: 256 | 512
}

const Z = 13 // LFQ bits: 8192 codes, the real codebook at every size

/** The three sizes `showo make-tiny` builds. `full` is the real 1.45B shape (spec §1, §5.2). */
export const PRESETS: Record<Preset['name'], Preset> = {
  tiny: {
    name: 'tiny',
    phi: { hiddenSize: 64, numLayers: 2, headDim: 16, intermediateSize: 256 },
    textVocabSize: undefined,
    bpeMerges: 300,
    vq: {
      imageChannels: 3,
      encoderCh: 32,
      encoder: { channels: [32, 32, 32, 64, 64], numResBlocks: [1, 1, 1, 1, 1] },
      decoder: { channels: [32, 32, 32, 64, 64], numResBlocks: [1, 1, 1, 1, 1] },
      zChannels: Z,
    },
    resolution: 256,
  },
  small: {
    name: 'small',
    phi: { hiddenSize: 512, numLayers: 8, headDim: 64, intermediateSize: 2048 },
    textVocabSize: undefined,
    bpeMerges: 1000,
    vq: {
      imageChannels: 3,
      encoderCh: 64,
      encoder: { channels: [64, 64, 128, 128, 256], numResBlocks: [1, 1, 2, 1, 2] },
      decoder: { channels: [64, 64, 128, 128, 256], numResBlocks: [2, 2, 1, 2, 1] },
      zChannels: Z,
    },
    resolution: 256,
  },
  full: {
    name: 'full',
    phi: { hiddenSize: 2048, numLayers: 24, headDim: 64, intermediateSize: 8192 },
    textVocabSize: 50_295,
    bpeMerges: 1000,
    vq: {
      imageChannels: 3,
      encoderCh: 128,
      encoder: { channels: [128, 256, 256, 512, 512], numResBlocks: [4, 3, 4, 3, 4] },
      decoder: { channels: [128, 128, 256, 256, 512], numResBlocks: [4, 4, 3, 4, 3] },
      zChannels: Z,
    },
    resolution: 256,
  },
}
