import { EdgeError } from './errors.ts'
import { IMAGE_CACHE_CONTROL, imageObjectKey } from './image-store.ts'

/** Name of the Cache API cache in front of R2. */
export const IMAGE_CACHE = 'showo-images'

/** What serving an image needs from the request context. */
export interface ServeImageDeps {
  bucket: R2Bucket
  waitUntil: (promise: Promise<unknown>) => void
}

function etagOf(key: string): string {
  return `"${key}"`
}

function matchesEtag(ifNoneMatch: string | null, etag: string): boolean {
  if (ifNoneMatch === null) {
    return false
  }
  return ifNoneMatch
    .split(',')
    .map((t) => t.trim().replace(/^W\//, ''))
    .some((t) => t === etag || t === '*')
}

function withCacheStatus(response: Response, status: 'hit' | 'miss'): Response {
  const out = new Response(response.body, response)
  out.headers.set('x-cache', status)
  return out
}

/**
 * Serves `GET /v1/images/{key}.png`. The key is the content address, so the ETag is the key and a
 * matching If-None-Match gets 304 without any lookup. Otherwise the local Cache API answers
 * (`x-cache: hit`) or R2 does (`x-cache: miss`) and the cache is filled in the background.
 */
export async function serveImage(
  deps: ServeImageDeps,
  key: string,
  ifNoneMatch: string | null
): Promise<Response> {
  const etag = etagOf(key)
  if (matchesEtag(ifNoneMatch, etag)) {
    return new Response(null, {
      status: 304,
      headers: { etag, 'cache-control': IMAGE_CACHE_CONTROL },
    })
  }
  // A host-independent cache key: the same image is one entry whatever name it was asked under.
  const cacheRequest = new Request(`https://images.showo.internal/${key}.png`)
  const cache = await caches.open(IMAGE_CACHE)
  const cached = await cache.match(cacheRequest)
  if (cached) {
    return withCacheStatus(cached, 'hit')
  }
  const object = await deps.bucket.get(imageObjectKey(key))
  if (!object) {
    throw new EdgeError('NOT_FOUND', `No image with key ${key}.`)
  }
  const bytes = await object.arrayBuffer()
  const meta = object.customMetadata ?? {}
  const headers = new Headers({
    'content-type': 'image/png',
    'content-length': String(bytes.byteLength),
    'cache-control': IMAGE_CACHE_CONTROL,
    etag,
  })
  for (const [name, value] of [
    ['x-seed', meta.seed],
    ['x-steps', meta.steps],
    ['x-model', meta.model],
  ] as const) {
    if (value) {
      headers.set(name, value)
    }
  }
  deps.waitUntil(cache.put(cacheRequest, new Response(bytes, { headers })))
  return withCacheStatus(new Response(bytes, { headers }), 'miss')
}
