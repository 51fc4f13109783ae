import { LIMITS } from '@showo/contract'
import { GenerationCancelledError, InvalidRequestError } from '../errors.ts'
import { ImageError } from '../image/image-error.ts'
import { readImage } from '../image/read-image.ts'
import {
  cacheFromPresents,
  type KvCache,
  presentNames,
  releaseCache,
  type ShowoModel,
} from '../model/showo-model.ts'
import { int64Tensor, outputData } from '../model/runtime.ts'
import { Rng } from '../sampling/rng.ts'
import type { UnderstandOutcome } from './engine.ts'
import {
  type DecodeResult,
  type DecodeRunner,
  type DecodeStart,
  greedyDecode,
  jacobiDecode,
} from './jacobi.ts'

/** Jacobi window of Show-o Turbo's understanding (S2 `--max_new_tokens 16`, spec §4.3). */
export const JACOBI_WINDOW = 16

/** An understanding request as the pipeline sees it. */
export interface UnderstandingJob {
  image: Uint8Array
  question: string
  maxNewTokens: number
  cancelled: () => string | undefined
}

/** How to decode: Jacobi (the product) or plain greedy (the oracle it must equal). */
export type DecodeMethod = 'jacobi' | 'greedy'

/**
 * Image understanding: image → VQ codes → Show-o's mmu prompt → greedy answer, decoded with Jacobi
 * iterations over a key/value cache.
 */
export class Understanding {
  constructor(private readonly model: ShowoModel) {}

  /** Loads the graphs this pipeline needs. */
  async load(): Promise<void> {
    await Promise.all([
      this.model.session('vqEncoder'),
      this.model.session('prefill'),
      this.model.session('decode'),
    ])
  }

  /** Answers one question about one image. */
  async run(job: UnderstandingJob): Promise<UnderstandOutcome & { passes: number }> {
    const started = performance.now()
    const m = this.model.manifest
    let codes: ArrayLike<number>
    try {
      codes = await this.encodeImage(job.image)
    } catch (error) {
      if (error instanceof ImageError) {
        throw new InvalidRequestError(error.message)
      }
      throw error
    }
    const prompt = this.model.tokenizer.understandingPrompt(codes, job.question)
    if (prompt.length + 1 >= m.transformer.maxPositions) {
      throw new InvalidRequestError(
        `question: the prompt needs ${prompt.length} positions, the model has ${m.transformer.maxPositions}`
      )
    }
    const encodeMs = performance.now() - started
    const t0 = performance.now()
    const result = await this.decodeIds(prompt, job.maxNewTokens, { cancelled: job.cancelled })
    if (result.cancelled) {
      throw new GenerationCancelledError(result.cancelled)
    }
    const decodeMs = performance.now() - t0
    return {
      text: this.model.tokenizer.decode(result.tokens).trim(),
      tokens: result.tokens.length,
      passes: result.passes,
      timings: { encodeMs, decodeMs, totalMs: performance.now() - started },
    }
  }

  /**
   * Decodes an answer after prompt ids. Tests compare the methods; benchmarks set `ignoreEos` so
   * every run produces exactly `maxNewTokens` tokens.
   */
  async decodeIds(
    prompt: readonly number[],
    maxNewTokens: number,
    options: {
      method?: DecodeMethod
      cancelled?: () => string | undefined
      ignoreEos?: boolean
    } = {}
  ): Promise<DecodeResult> {
    const m = this.model.manifest
    const run = await this.decodeRunner()
    const start = await this.start(prompt, run)
    const limits = {
      maxNewTokens: Math.min(maxNewTokens, LIMITS.maxNewTokensMax),
      eos: options.ignoreEos ? -1 : m.tokens.eos,
      maxPositions: m.transformer.maxPositions,
      ...(options.cancelled ? { cancelled: options.cancelled } : {}),
      release: releaseCache,
    }
    if (options.method === 'greedy') {
      return greedyDecode(prompt, start, run, limits)
    }
    // The reference seeds the window with prompt tokens that are text or special tokens, not image codes.
    const choices = prompt.filter((id) => id < m.tokens.imageOffset)
    return jacobiDecode(prompt, start, run, {
      ...limits,
      window: JACOBI_WINDOW,
      choices,
      rng: new Rng(prompt.length),
    })
  }

  private async encodeImage(bytes: Uint8Array): Promise<ArrayLike<number>> {
    const m = this.model.manifest
    const size = m.image.resolution
    const image = await readImage(bytes, size, LIMITS.imageMaxPixels)
    const session = await this.model.session('vqEncoder')
    const out = await session.run(
      { pixels: { type: 'float32', dims: [1, 3, size, size], data: image.data } },
      ['codes']
    )
    const codes = outputData(out, 'codes', 'int64')
    return Array.from(codes, Number)
  }

  /** The prompt minus its last token is cached by `prefill`; `decode` on the last gives the first prediction. */
  private async start(prompt: readonly number[], run: DecodeRunner): Promise<DecodeStart> {
    const prefill = await this.model.session('prefill')
    const head = prompt.slice(0, -1)
    const presents = await prefill.run({ input_ids: int64Tensor(head, [1, head.length]) })
    const prefix = cacheFromPresents(presents, this.model.manifest.transformer.numLayers)
    const result = await run(prompt, prefix)
    releaseCache(prefix)
    return {
      cache: result.cache,
      next: Number(result.next[0]),
    }
  }

  private async decodeRunner(): Promise<DecodeRunner> {
    const session = await this.model.session('decode')
    const layers = this.model.manifest.transformer.numLayers
    const outputs = ['next_tokens', ...presentNames(layers)]
    return async (ids: readonly number[], cache: KvCache) => {
      const out = await session.run(
        { input_ids: int64Tensor([...ids], [1, ids.length]), ...cache },
        outputs
      )
      return {
        next: outputData(out, 'next_tokens', 'int64'),
        cache: cacheFromPresents(out, layers),
      }
    }
  }
}
