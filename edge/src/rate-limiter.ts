import { DurableObject } from 'cloudflare:workers'
import type { Env } from './env.ts'

/** Answer of {@link RateLimiter.consume}. */
export interface RateVerdict {
  allowed: boolean
  limit: number
  remaining: number
  /** Seconds until one more request would be allowed (0 when allowed). */
  retryAfterS: number
}

interface Bucket {
  tokens: number
  updatedMs: number
}

/**
 * A token bucket per API key or client address (one object per bucket, never a global one).
 * `limit` requests per `windowS`, refilled continuously, so there is no burst at window edges.
 * Unlike the platform rate-limit binding this is exact and also limits under `wrangler dev`.
 */
export class RateLimiter extends DurableObject<Env> {
  /** Takes one token if there is one. */
  async consume(limit: number, windowS: number): Promise<RateVerdict> {
    const now = Date.now()
    const ratePerMs = limit / (windowS * 1000)
    const saved = await this.ctx.storage.get<Bucket>('bucket')
    const tokens = saved
      ? Math.min(limit, saved.tokens + (now - saved.updatedMs) * ratePerMs)
      : limit
    const allowed = tokens >= 1
    const left = allowed ? tokens - 1 : tokens
    await this.ctx.storage.put<Bucket>('bucket', { tokens: left, updatedMs: now })
    // A full bucket is the same as no bucket: let storage go once the client has been idle.
    await this.ctx.storage.setAlarm(now + windowS * 1000)
    return {
      allowed,
      limit,
      remaining: Math.floor(left),
      retryAfterS: allowed ? 0 : Math.ceil((1 - left) / ratePerMs / 1000),
    }
  }

  /** Deletes the idle bucket. */
  override async alarm(): Promise<void> {
    await this.ctx.storage.deleteAll()
  }
}
