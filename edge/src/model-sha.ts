import type { RunnerSettings } from './config.ts'
import { EdgeError } from './errors.ts'
import type { RunnerClient } from './runner-client.ts'

/** Seconds a client should wait when the runners are still loading their model. */
const NOT_READY_RETRY_S = 5

function shaCacheRequest(runnerUrl: string): Request {
  return new Request(`https://model-sha.showo.internal/?runner=${encodeURIComponent(runnerUrl)}`)
}

/**
 * The model sha that goes into cache keys, known before calling the runner: MODEL_SHA when the
 * deployment pins it, otherwise what the runner's GET /readyz names, kept in the Cache API for
 * MODEL_SHA_TTL_S seconds so that a cache hit costs no runner round trip.
 */
export async function resolveModelSha(
  settings: RunnerSettings,
  runner: RunnerClient,
  cache: Cache,
  requestId: string
): Promise<string> {
  if (settings.modelSha !== undefined) {
    return settings.modelSha
  }
  const key = shaCacheRequest(settings.url)
  const cached = await cache.match(key)
  if (cached) {
    return cached.text()
  }
  const readiness = await runner.readiness(requestId)
  if (!readiness.ready) {
    throw new EdgeError('MODEL_NOT_READY', 'The GPU runners are still loading the model.', {
      retryAfterS: NOT_READY_RETRY_S,
    })
  }
  if (readiness.modelSha === undefined) {
    throw new EdgeError('UPSTREAM_FAILED', 'The GPU runner did not name its model.', {
      internal: '/readyz answered without model.sha',
    })
  }
  const response = new Response(readiness.modelSha, {
    headers: { 'cache-control': `max-age=${settings.modelShaTtlS}` },
  })
  await cache.put(key, response)
  return readiness.modelSha
}

/** Drops the remembered sha, e.g. when a runner answered with another model (a rollout). */
export async function forgetModelSha(settings: RunnerSettings, cache: Cache): Promise<void> {
  await cache.delete(shaCacheRequest(settings.url))
}
