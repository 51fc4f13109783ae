import { LIMITS } from '@showo/contract'

/** Discord option types used here. */
const STRING = 3
const INTEGER = 4

/**
 * `/imagine prompt [seed] [steps]`: the single definition, read by the interactions route and by
 * `tools/scripts/register-commands.ts`, so what is registered is what is handled.
 */
export const IMAGINE_COMMAND = {
  name: 'imagine',
  type: 1,
  description: 'Draw an image with Show-o Turbo',
  options: [
    {
      name: 'prompt',
      description: 'What to draw',
      type: STRING,
      required: true,
      max_length: LIMITS.promptMaxChars,
    },
    {
      name: 'seed',
      description: 'Seed for a reproducible image (random when empty)',
      type: INTEGER,
      required: false,
      min_value: 0,
      max_value: LIMITS.seedMax,
    },
    {
      name: 'steps',
      description: 'Decoding steps (more: slower, finer)',
      type: INTEGER,
      required: false,
      min_value: LIMITS.stepsMin,
      max_value: LIMITS.stepsMax,
    },
  ],
} as const

/** Every command the bot registers. */
export const COMMANDS = [IMAGINE_COMMAND] as const

/** Prefix of button custom ids; the rest is `<action>:<image key>`, so buttons need no database. */
export const BUTTON_PREFIX = 'showo'
