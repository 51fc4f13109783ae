import { describeIssues } from '@showo/contract'
import type { Context } from 'hono'
import { getConfig, type AppEnv } from '../app-env.ts'
import { normalizePrompt } from '../cache-key.ts'
import { requireSetting } from '../config.ts'
import {
  CALLBACK,
  EPHEMERAL,
  INTERACTION,
  Interaction,
  isImagine,
  readButton,
  readImagineOptions,
} from '../discord/interaction.ts'
import { verifyDiscordRequest } from '../discord/verify.ts'
import { EdgeError } from '../errors.ts'
import type { DiscordRender } from '../jobs/queue-message.ts'
import { createRouter } from '../router.ts'
import { drawSeed } from '../seed.ts'
import { limitBody } from './images.ts'

/** Twice Discord's timestamp window: long enough that a replay inside the window is caught. */
const SEEN_TTL_S = 600

function ephemeral(c: Context<AppEnv>, content: string): Response {
  return c.json({ type: CALLBACK.CHANNEL_MESSAGE, data: { content, flags: EPHEMERAL } })
}

function toRender(interaction: Interaction): DiscordRender | string {
  const button = readButton(interaction)
  if (button) {
    return button.action === 'reroll'
      ? { kind: 'reroll', key: button.key, seed: drawSeed() }
      : { kind: 'more', key: button.key }
  }
  if (!isImagine(interaction)) {
    return 'Unknown command.'
  }
  const options = readImagineOptions(interaction)
  if (!options.success) {
    return `⚠️ ${describeIssues(options.error)}`
  }
  const { prompt, seed, steps } = options.data
  return {
    kind: 'imagine',
    prompt: normalizePrompt(prompt),
    seed: seed ?? drawSeed(),
    steps: steps ?? null,
  }
}

/**
 * `POST /discord/interactions`: verify, answer PING, and for `/imagine` or a button reply
 * "deferred" at once and hand the render to the queue (Discord allows 3 s; a GPU job may take
 * longer than `waitUntil` lives). Problems the user can fix are answered as ephemeral messages,
 * because Discord shows an HTTP error only as "interaction failed".
 */
export function discordRoutes(): ReturnType<typeof createRouter> {
  const router = createRouter()
  router.post('/discord/interactions', limitBody(64 * 1024), async (c) => {
    const config = getConfig(c)
    const publicKey = requireSetting(config.discordPublicKey)
    const raw = await c.req.text()
    const verdict = await verifyDiscordRequest(
      publicKey,
      c.req.header('x-signature-ed25519'),
      c.req.header('x-signature-timestamp'),
      raw
    )
    if (verdict !== 'ok') {
      const why = verdict === 'stale' ? 'timestamp outside ±300 s' : `${verdict} signature`
      throw new EdgeError('UNAUTHORIZED', `x-signature-ed25519: ${why}.`)
    }
    let json: unknown
    try {
      json = JSON.parse(raw)
    } catch (cause) {
      throw new EdgeError('INVALID_REQUEST', 'body: not JSON.', { cause })
    }
    const parsed = Interaction.safeParse(json)
    if (!parsed.success) {
      throw new EdgeError('INVALID_REQUEST', describeIssues(parsed.error))
    }
    const interaction = parsed.data
    if (interaction.type === INTERACTION.PING) {
      return c.json({ type: CALLBACK.PONG })
    }
    const render = toRender(interaction)
    if (typeof render === 'string') {
      return ephemeral(c, render)
    }
    if (!config.runner.ok || !interaction.token) {
      return ephemeral(c, 'Image generation is not configured on this deployment.')
    }
    // Discord never resends an interaction, so a second copy is a replay: acknowledge, do nothing.
    const seenKey = `discord:seen:${interaction.id}`
    if ((await c.env.JOBS.get(seenKey)) === null) {
      await c.env.JOBS.put(seenKey, '1', { expirationTtl: SEEN_TTL_S })
      await c.env.RENDER_QUEUE.send({
        type: 'discord',
        interactionId: interaction.id,
        applicationId: interaction.application_id,
        token: interaction.token,
        requestId: c.get('requestId'),
        render,
      })
    }
    return c.json({ type: CALLBACK.DEFERRED_CHANNEL_MESSAGE })
  })
  return router
}
