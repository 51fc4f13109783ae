import type { ImageParams } from '../cache-key.ts'
import type { EdgeConfig } from '../config.ts'
import { editOriginal } from '../discord/edit-original.ts'
import { imageMessage, moreSteps } from '../discord/image-message.ts'
import type { Env } from '../env.ts'
import { EdgeError } from '../errors.ts'
import { createImageGenerator } from '../image-generator.ts'
import { readImageMeta } from '../image-store.ts'
import {
  MAX_QUEUE_ATTEMPTS,
  queueBackoffS,
  type DiscordMessage,
  type Disposition,
} from './queue-message.ts'
import { isRetryable } from './retryable.ts'

/** Interaction tokens live 15 minutes; leave a margin for the edit itself. */
const TOKEN_LIFETIME_MS = 14 * 60 * 1000
/** Done markers outlive the token, which is all they have to guard. */
const DONE_TTL_S = 3600

function doneKey(interactionId: string): string {
  return `discord:done:${interactionId}`
}

async function resolveParams(
  message: DiscordMessage,
  bucket: R2Bucket
): Promise<ImageParams | string> {
  const render = message.render
  if (render.kind === 'imagine') {
    const { prompt, seed, steps } = render
    return { prompt, seed, steps, guidanceScale: null, topK: null, resolution: null }
  }
  const meta = await readImageMeta(bucket, render.key)
  if (!meta) {
    return 'That image is no longer available.'
  }
  if (render.kind === 'reroll') {
    return { ...meta.params, seed: render.seed }
  }
  const steps = moreSteps(meta.receipt.steps)
  return steps === null ? 'That image already has the most steps.' : { ...meta.params, steps }
}

/**
 * Answers a deferred Discord interaction: generate (through the same cache and coalescer as the
 * API), then edit the original response with the image and buttons. Idempotent per interaction:
 * a done marker stops redeliveries, and a repeated generation is a cache hit anyway.
 */
export async function renderDiscord(
  message: DiscordMessage,
  delivery: { attempts: number; timestamp: Date },
  env: Env,
  config: EdgeConfig
): Promise<Disposition> {
  if ((await env.JOBS.get(doneKey(message.interactionId))) !== null) {
    return { kind: 'ack' }
  }
  if (Date.now() - delivery.timestamp.getTime() > TOKEN_LIFETIME_MS) {
    console.error('discord token expired before the render', message.interactionId)
    return { kind: 'ack' }
  }
  const edit = editOriginal.bind(null, config.discordApiBase, message.applicationId, message.token)
  const params = await resolveParams(message, env.IMAGES)
  let result
  if (typeof params === 'string') {
    result = await edit({ content: params })
  } else {
    try {
      if (!config.runner.ok) {
        throw new EdgeError('NOT_CONFIGURED', 'Image generation is not configured here.')
      }
      const generator = createImageGenerator(env, config.runner.value, message.requestId)
      const image = await generator.generate(params, { wantBytes: true })
      if (!image.png) {
        throw new EdgeError('INTERNAL', 'Image bytes missing.')
      }
      result = await edit(imageMessage(params, image.receipt), {
        name: `showo-${image.receipt.seed}.png`,
        bytes: image.png,
      })
    } catch (error) {
      const edgeError =
        error instanceof EdgeError ? error : new EdgeError('INTERNAL', 'Internal error.')
      if (isRetryable(edgeError.code) && delivery.attempts < MAX_QUEUE_ATTEMPTS) {
        return { kind: 'retry', delayS: queueBackoffS(delivery.attempts, edgeError.retryAfterS) }
      }
      result = await edit({ content: `⚠️ Could not draw that: ${edgeError.message}` })
    }
  }
  if (!result.ok && result.retryable && delivery.attempts < MAX_QUEUE_ATTEMPTS) {
    return { kind: 'retry', delayS: queueBackoffS(delivery.attempts, result.retryAfterS) }
  }
  await env.JOBS.put(doneKey(message.interactionId), '1', { expirationTtl: DONE_TTL_S })
  return { kind: 'ack' }
}
