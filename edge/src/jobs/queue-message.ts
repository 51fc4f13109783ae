/**
 * Deliveries per message: wrangler.toml's `max_retries = 5` plus the first. Handlers give up
 * cleanly on the last one (final job state, error message to Discord) instead of letting the
 * message fall into the dead-letter queue unexplained. Keep the two numbers in step.
 */
export const MAX_QUEUE_ATTEMPTS = 6

/** An async job to run (its record is in the JOBS namespace). */
export interface JobMessage {
  type: 'job'
  id: string
  requestId: string
}

/** What a Discord interaction asked for. A re-roll's new seed is drawn before enqueueing. */
export type DiscordRender =
  | { kind: 'imagine'; prompt: string; seed: number; steps: number | null }
  | { kind: 'reroll'; key: string; seed: number }
  | { kind: 'more'; key: string }

/** A deferred Discord interaction to answer by editing its original response. */
export interface DiscordMessage {
  type: 'discord'
  interactionId: string
  applicationId: string
  token: string
  requestId: string
  render: DiscordRender
}

/** Every message on the render queue. */
export type QueueMessage = JobMessage | DiscordMessage

/** What a handler wants done with its message. */
export type Disposition = { kind: 'ack' } | { kind: 'retry'; delayS: number }

/** Exponential queue backoff in seconds, with the runner's Retry-After as a floor. */
export function queueBackoffS(attempts: number, retryAfterS: number | undefined): number {
  return Math.max(retryAfterS ?? 0, Math.min(300, 5 * 2 ** (attempts - 1)))
}
