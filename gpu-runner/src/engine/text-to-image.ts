import { GenerationCancelledError, InvalidRequestError } from '../errors.ts'
import { encodePng } from '../image/encode-png.ts'
import {
  cacheFromPresents,
  isDeviceCache,
  type KvCache,
  releaseCache,
  selectCacheRows,
  type ShowoModel,
} from '../model/showo-model.ts'
import { int64Tensor, outputData } from '../model/runtime.ts'
import { type DenoiseState, denoiseStep, initialState, MASKED } from '../sampling/denoise-step.ts'
import { applyGuidance } from '../sampling/guidance.ts'
import { Rng } from '../sampling/rng.ts'
import { type Candidates, candidatesFromLogits, candidatesFromTopK } from '../sampling/top-k.ts'
import type { GenerateOutcome, GenerateParams, Settled } from './engine.ts'

/** A text-to-image request as the pipeline sees it: its parameters and a cancellation probe. */
export interface TextToImageJob {
  params: GenerateParams
  /** A reason when the request was cancelled (checked between steps), else undefined. */
  cancelled: () => string | undefined
}

interface Live {
  index: number
  /** Cancelled: no longer sampled; its rows stay in the batch only while the cache is on the GPU. */
  done: boolean
  job: TextToImageJob
  block: number[]
  state: DenoiseState
  sampled: Int32Array
  rng: Rng
}

/**
 * Show-o Turbo text-to-image on the ONNX graphs, for a batch of requests of one shape: the text
 * blocks' key/value cache is computed once (text rows never attend to image rows), then each step
 * runs only `<soi>` image `<eoi>` through `denoise`, which returns codebook logits of the image rows.
 * Sampling runs per request with its own seeded generator, so a request's image does not depend on
 * what else is in the batch.
 */
export class TextToImage {
  constructor(private readonly model: ShowoModel) {}

  /** Loads the graphs this pipeline needs. */
  async load(): Promise<void> {
    await Promise.all([
      this.model.session('prefill'),
      this.model.session('denoise'),
      this.model.session('vqDecoder'),
    ])
  }

  /** Runs a batch; one result per job, in order. */
  async run(jobs: readonly TextToImageJob[]): Promise<Settled<GenerateOutcome>[]> {
    const started = performance.now()
    const m = this.model.manifest
    const first = jobs[0]?.params
    if (!first) {
      return []
    }
    for (const { params } of jobs) {
      if (params.resolution !== m.image.resolution) {
        throw new InvalidRequestError(
          `resolution: this model draws ${m.image.resolution} px images, not ${params.resolution}`
        )
      }
      if (params.steps !== first.steps || params.guidanceScale > 0 !== first.guidanceScale > 0) {
        throw new InvalidRequestError('a batch must share steps and guidance on/off')
      }
    }
    const results: Settled<GenerateOutcome>[] = jobs.map(() => ({
      ok: false,
      error: new Error('not run'),
    }))
    const n = m.image.imageTokens
    const cfg = first.guidanceScale > 0
    const tok = this.model.tokenizer
    const uncondBlock = cfg ? tok.textToImageBlock('') : []
    let live: Live[] = jobs.map((job, index) => ({
      index,
      done: false,
      job,
      block: tok.textToImageBlock(job.params.prompt),
      state: initialState(n),
      sampled: new Int32Array(n),
      rng: new Rng(job.params.seed),
    }))
    const blocks = (): number[][] => [
      ...live.map((l) => l.block),
      ...(cfg ? live.map(() => uncondBlock) : []),
    ]

    const t0 = performance.now()
    let cache = await this.prefill(blocks())
    const prefillMs = performance.now() - t0
    let denoiseMs = 0
    for (let step = 1; step <= first.steps; step++) {
      for (const l of live) {
        const reason = l.done ? undefined : l.job.cancelled()
        if (reason) {
          l.done = true
          results[l.index] = { ok: false, error: new GenerationCancelledError(reason) }
        }
      }
      if (live.every((l) => l.done)) {
        break
      }
      if (live.some((l) => l.done) && !isDeviceCache(cache)) {
        // Cancelled requests leave the batch: keep the cache rows of the others (cond, then uncond).
        const previous = live
        live = live.filter((l) => !l.done)
        const rows = live.map((l) => previous.indexOf(l))
        cache = selectCacheRows(
          cache,
          cfg ? [...rows, ...rows.map((r) => r + previous.length)] : rows
        )
      }
      const ts = performance.now()
      const rows = await this.denoise(live, blocks(), cache, cfg)
      live.forEach((l, p) => {
        if (l.done) {
          return
        }
        const result = denoiseStep(
          (i) => rows(p, i),
          l.state,
          step,
          { steps: l.job.params.steps },
          l.rng
        )
        l.state = result.state
        l.sampled = result.sampled
      })
      denoiseMs += performance.now() - ts
    }
    releaseCache(cache)
    const finished = live.filter((l) => !l.done)
    if (finished.length > 0) {
      await this.finish(finished, results, { prefillMs, denoiseMs, started })
    }
    return results
  }

  private async prefill(blocks: number[][]): Promise<KvCache> {
    const session = await this.model.session('prefill')
    const out = await session.run({
      input_ids: int64Tensor(blocks.flat(), [blocks.length, blocks[0]?.length ?? 0]),
    })
    return cacheFromPresents(out, this.model.manifest.transformer.numLayers)
  }

  /**
   * One denoising pass; returns each job's candidates per image position. Without guidance the graph
   * hands back only the top-k of each row; with guidance the full rows come back to be combined first.
   */
  private async denoise(
    live: Live[],
    blocks: number[][],
    cache: KvCache,
    cfg: boolean
  ): Promise<(job: number, position: number) => Candidates> {
    const m = this.model.manifest
    const t = m.tokens
    const n = m.image.imageTokens
    const imageIds = live.map((l) =>
      Array.from(l.state.codes, (c) => (c === MASKED ? t.mask : c + t.imageOffset))
    )
    const rows = blocks.map((block, r) => [
      ...block,
      t.soi,
      ...(imageIds[r % live.length] ?? []),
      t.eoi,
    ])
    const session = await this.model.session('denoise')
    const k = Math.max(...live.map((l) => Math.min(l.job.params.topK, t.codebookSize)))
    const feeds = {
      input_ids: int64Tensor(rows.flat(), [rows.length, rows[0]?.length ?? 0]),
      top_k: int64Tensor([cfg ? 1 : k], [1]),
      ...cache,
    }
    if (!cfg) {
      const out = await session.run(feeds, ['top_logits', 'top_indices', 'logsumexp'])
      const values = outputData(out, 'top_logits', 'float32')
      const indices = outputData(out, 'top_indices', 'int64')
      const lse = outputData(out, 'logsumexp', 'float32')
      return (job, i) => {
        const row = job * n + i
        return candidatesFromTopK(
          values.subarray(row * k, (row + 1) * k),
          indices.subarray(row * k, (row + 1) * k),
          lse[row] ?? 0,
          live[job]?.job.params.topK ?? k
        )
      }
    }
    const out = await session.run(feeds, ['image_logits'])
    const logits = outputData(out, 'image_logits', 'float32')
    const C = t.codebookSize
    const guided = live.map((l, p) => {
      const size = n * C
      const uncond = (live.length + p) * size
      return applyGuidance(
        logits.subarray(p * size, (p + 1) * size),
        logits.subarray(uncond, uncond + size),
        l.job.params.guidanceScale
      )
    })
    return (job, i) =>
      candidatesFromLogits(
        (guided[job] ?? new Float32Array(0)).subarray(i * C, (i + 1) * C),
        live[job]?.job.params.topK ?? C
      )
  }

  private async finish(
    live: Live[],
    results: Settled<GenerateOutcome>[],
    t: { prefillMs: number; denoiseMs: number; started: number }
  ): Promise<void> {
    const m = this.model.manifest
    const side = Math.sqrt(m.image.imageTokens)
    const max = m.tokens.codebookSize - 1
    const codes = live.flatMap((l) => Array.from(l.sampled, (c) => Math.min(max, Math.max(0, c))))
    const t0 = performance.now()
    const session = await this.model.session('vqDecoder')
    const out = await session.run({ codes: int64Tensor(codes, [live.length, side, side]) }, [
      'pixels',
    ])
    const decodeMs = performance.now() - t0
    const pixels = outputData(out, 'pixels', 'float32')
    const size = m.image.resolution
    const plane = 3 * size * size
    for (const [p, l] of live.entries()) {
      const te = performance.now()
      const png = await encodePng(pixels.subarray(p * plane, (p + 1) * plane), size, size)
      const encodeMs = performance.now() - te
      results[l.index] = {
        ok: true,
        value: {
          png,
          timings: {
            prefillMs: t.prefillMs,
            denoiseMs: t.denoiseMs,
            decodeMs,
            encodeMs,
            totalMs: performance.now() - t.started,
          },
        },
      }
    }
  }
}
