import { cacheKey, type ImageParams } from './cache-key.ts'
import type { CacheOutcome } from './coalescer.ts'
import type { RunnerSettings } from './config.ts'
import type { Env } from './env.ts'
import { fromWireError } from './errors.ts'
import { imageObjectKey, toReceipt, type ImageReceipt } from './image-store.ts'
import { forgetModelSha, resolveModelSha } from './model-sha.ts'
import { createRunnerClient } from './runner-client.ts'

/** A generated (or cached) image. `png` is null when the caller did not ask for the bytes. */
export interface GeneratedResult {
  key: string
  png: ArrayBuffer | null
  receipt: ImageReceipt
  outcome: CacheOutcome
}

/** Turns image parameters into a stored image: cache key → R2 → coalescing Durable Object. */
export interface ImageGenerator {
  generate(params: ImageParams, options: { wantBytes: boolean }): Promise<GeneratedResult>
}

/** Name of the Cache API cache that remembers the runner's model sha. */
export const META_CACHE = 'showo-meta'

/** Creates the generator used by the HTTP routes, async jobs and the Discord consumer alike. */
export function createImageGenerator(
  env: Env,
  runner: RunnerSettings,
  requestId: string
): ImageGenerator {
  return {
    async generate(params, { wantBytes }) {
      const metaCache = await caches.open(META_CACHE)
      const modelSha = await resolveModelSha(
        runner,
        createRunnerClient(runner),
        metaCache,
        requestId
      )
      const key = await cacheKey(modelSha, params)
      // A hit never touches the Durable Object: only misses need coordination.
      if (wantBytes) {
        const stored = await env.IMAGES.get(imageObjectKey(key))
        if (stored) {
          const png = await stored.arrayBuffer()
          return { key, png, receipt: toReceipt(key, stored), outcome: 'hit' }
        }
      } else {
        const stored = await env.IMAGES.head(imageObjectKey(key))
        if (stored) {
          return { key, png: null, receipt: toReceipt(key, stored), outcome: 'hit' }
        }
      }
      const stub = env.COALESCER.get(env.COALESCER.idFromName(key))
      const result = await stub.generate({ key, modelSha, params, runner, requestId })
      if (!result.ok) {
        throw fromWireError(result.error)
      }
      if (result.modelChanged) {
        await forgetModelSha(runner, metaCache)
      }
      return {
        key: result.receipt.key,
        png: result.png,
        receipt: result.receipt,
        outcome: result.outcome,
      }
    },
  }
}
