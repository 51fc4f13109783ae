import type { GenerateRequest } from '@showo/contract'
import { DurableObject } from 'cloudflare:workers'
import { cacheKey, type ImageParams } from './cache-key.ts'
import type { RunnerSettings } from './config.ts'
import type { Env } from './env.ts'
import { EdgeError, toWireError, type WireError } from './errors.ts'
import { imageObjectKey, storeImage, toReceipt, type ImageReceipt } from './image-store.ts'
import { createRunnerClient } from './runner-client.ts'

/** How a caller's image was obtained: already stored, drawn for it, or shared with another call. */
export type CacheOutcome = 'hit' | 'miss' | 'joined'

/** One generation to coalesce; `key` names the Durable Object instance it is sent to. */
export interface CoalesceJob {
  key: string
  modelSha: string
  params: ImageParams
  runner: RunnerSettings
  requestId: string
}

/** Result of {@link Coalescer.generate}; errors travel as data because RPC drops error classes. */
export type CoalesceResult =
  | {
      ok: true
      png: ArrayBuffer
      receipt: ImageReceipt
      outcome: CacheOutcome
      /** True when the runner served another model than the key assumed. */
      modelChanged: boolean
    }
  | { ok: false; error: WireError }

type Produced = Exclude<CoalesceResult, { outcome: 'joined' }>

/**
 * One instance per cache key. Every identical request that misses R2 lands here; the first starts
 * the runner call and the others await the same promise, so N concurrent requests cost one GPU run.
 * The call runs in the object, not in the caller, so a caller that disconnects cancels nothing.
 */
export class Coalescer extends DurableObject<Env> {
  private inflight: Promise<Produced> | undefined

  /** Returns the image for `job.key`, calling the runner at most once for concurrent callers. */
  async generate(job: CoalesceJob): Promise<CoalesceResult> {
    if (this.inflight) {
      const shared = await this.inflight
      return shared.ok && shared.outcome === 'miss' ? { ...shared, outcome: 'joined' } : shared
    }
    // Assigned before the first await so that callers arriving during it join this promise.
    const produced = this.produce(job)
    this.inflight = produced
    try {
      return await produced
    } finally {
      if (this.inflight === produced) {
        this.inflight = undefined
      }
    }
  }

  private async produce(job: CoalesceJob): Promise<Produced> {
    try {
      const stored = await this.env.IMAGES.get(imageObjectKey(job.key))
      if (stored) {
        const receipt = toReceipt(job.key, stored)
        return {
          ok: true,
          png: await stored.arrayBuffer(),
          receipt,
          outcome: 'hit',
          modelChanged: false,
        }
      }
      const runner = createRunnerClient(job.runner)
      const image = await runner.generate(toRunnerRequest(job.params), job.requestId)
      if (image.seed !== job.params.seed) {
        throw new EdgeError('UPSTREAM_FAILED', 'The GPU runner answered for another seed.', {
          internal: `asked seed ${job.params.seed}, x-seed ${image.seed}`,
        })
      }
      const modelChanged = image.model !== job.modelSha
      // An image is filed under the model that really drew it, never under the key it was asked for.
      const key = modelChanged ? await cacheKey(image.model, job.params) : job.key
      const receipt: ImageReceipt = {
        key,
        seed: image.seed,
        steps: image.steps,
        model: image.model,
        createdAt: new Date().toISOString(),
      }
      await storeImage(this.env.IMAGES, image.png, receipt, job.params)
      return { ok: true, png: image.png, receipt, outcome: 'miss', modelChanged }
    } catch (error) {
      if (!(error instanceof EdgeError) || error.status >= 500) {
        console.error(
          'coalescer',
          job.requestId,
          error instanceof EdgeError ? (error.internal ?? error.message) : error
        )
      }
      return { ok: false, error: toWireError(error) }
    }
  }
}

function toRunnerRequest(params: ImageParams): GenerateRequest {
  return {
    prompt: params.prompt,
    seed: params.seed,
    ...(params.steps === null ? {} : { steps: params.steps }),
    ...(params.topK === null ? {} : { topK: params.topK }),
    ...(params.guidanceScale === null ? {} : { guidanceScale: params.guidanceScale }),
    ...(params.resolution === null ? {} : { resolution: params.resolution }),
  }
}
