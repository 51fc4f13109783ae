import { createApp } from './app.ts'
import type { Env } from './env.ts'
import { consumeQueue } from './jobs/consume-queue.ts'
import type { QueueMessage } from './jobs/queue-message.ts'

export { Coalescer } from './coalescer.ts'
export { RateLimiter } from './rate-limiter.ts'

// The app holds routes only; every per-request value lives in the request context.
const app = createApp()

export default {
  fetch: (request, env, ctx) => app.fetch(request, env, ctx),
  queue: consumeQueue,
} satisfies ExportedHandler<Env, QueueMessage>
