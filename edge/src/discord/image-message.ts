import { LIMITS } from '@showo/contract'
import type { ImageParams } from '../cache-key.ts'
import type { ImageReceipt } from '../image-store.ts'
import { BUTTON_PREFIX } from './commands.ts'
import type { DiscordPayload } from './edit-original.ts'

const BUTTON = 2
const ACTION_ROW = 1
const SECONDARY = 2
const MAX_PROMPT_SHOWN = 1500

/** Steps for "more steps": double, capped; null when there is nothing more to give. */
export function moreSteps(steps: number | null): number | null {
  if (steps === null || steps >= LIMITS.stepsMax) {
    return null
  }
  return Math.min(steps * 2, LIMITS.stepsMax)
}

/**
 * The finished message: prompt, seed and steps in the text (so users can reproduce it), the image
 * as an attachment, and buttons whose custom ids carry the image key (state lives in Discord).
 */
export function imageMessage(params: ImageParams, receipt: ImageReceipt): DiscordPayload {
  const prompt =
    params.prompt.length > MAX_PROMPT_SHOWN
      ? `${params.prompt.slice(0, MAX_PROMPT_SHOWN)}…`
      : params.prompt
  const next = moreSteps(receipt.steps)
  return {
    content: `**${prompt}**\nseed \`${receipt.seed}\` · ${receipt.steps ?? 'default'} steps`,
    components: [
      {
        type: ACTION_ROW,
        components: [
          {
            type: BUTTON,
            style: SECONDARY,
            label: 'Re-roll',
            emoji: { name: '🔄' },
            custom_id: `${BUTTON_PREFIX}:reroll:${receipt.key}`,
          },
          {
            type: BUTTON,
            style: SECONDARY,
            label: next === null ? 'More steps' : `${next} steps`,
            emoji: { name: '➕' },
            custom_id: `${BUTTON_PREFIX}:more:${receipt.key}`,
            disabled: next === null,
          },
        ],
      },
    ],
  }
}
