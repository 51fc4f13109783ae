import { Hono } from 'hono'
import { createApp } from '../src/app.ts'
import type { Env } from '../src/env.ts'
import { imageObjectKey } from '../src/image-store.ts'
import { consumeQueue } from '../src/jobs/consume-queue.ts'
import type { QueueMessage } from '../src/jobs/queue-message.ts'

export { Coalescer } from '../src/coalescer.ts'
export { RateLimiter } from '../src/rate-limiter.ts'

/**
 * Benchmark-only Worker: the production app plus `GET /bench/bare/{key}`, a bare Hono route that
 * returns the same R2 bytes with no cache, ETag or headers work. It is the baseline the image CDN
 * route is measured against (tools/bench/image-cache-bench.ts); it never ships.
 */
const app = new Hono<{ Bindings: Env }>()
app.get('/bench/bare/:key', async (c) => {
  const object = await c.env.IMAGES.get(imageObjectKey(c.req.param('key')))
  if (!object) {
    return c.notFound()
  }
  return new Response(object.body, { headers: { 'content-type': 'image/png' } })
})
app.route('/', createApp())

export default {
  fetch: (request, env, ctx) => app.fetch(request, env, ctx),
  queue: consumeQueue,
} satisfies ExportedHandler<Env, QueueMessage>
