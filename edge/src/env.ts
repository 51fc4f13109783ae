import type { Coalescer } from './coalescer.ts'
import type { QueueMessage } from './jobs/queue-message.ts'
import type { RateLimiter } from './rate-limiter.ts'

/**
 * Bindings, vars and secrets of the edge Worker, as declared in the root wrangler.toml. Vars and
 * secrets are optional strings here on purpose: `readConfig()` is the one place that parses them.
 */
export interface Env {
  IMAGES: R2Bucket
  API_KEYS: KVNamespace
  JOBS: KVNamespace
  RENDER_QUEUE: Queue<QueueMessage>
  COALESCER: DurableObjectNamespace<Coalescer>
  RATE_LIMITER: DurableObjectNamespace<RateLimiter>
  RUNNER_URL?: string
  RUNNER_SECRET?: string
  MODEL_SHA?: string
  MODEL_SHA_TTL_S?: string
  RUNNER_TIMEOUT_MS?: string
  RUNNER_MAX_ATTEMPTS?: string
  ALLOW_ANONYMOUS?: string
  RATE_LIMIT_PER_KEY?: string
  RATE_LIMIT_PER_IP?: string
  RATE_LIMIT_WINDOW_S?: string
  DISCORD_API_BASE?: string
  DISCORD_PUBLIC_KEY?: string
  PUBLIC_BASE_URL?: string
  WEBHOOK_SIGNING_SECRET?: string
  ADMIN_TOKEN?: string
}
