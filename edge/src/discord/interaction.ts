import { Prompt, Seed, Steps } from '@showo/contract'
import { z } from 'zod'
import { BUTTON_PREFIX, IMAGINE_COMMAND } from './commands.ts'

/** Interaction types (Discord docs, receiving-and-responding). */
export const INTERACTION = { PING: 1, APPLICATION_COMMAND: 2, MESSAGE_COMPONENT: 3 } as const

/** Callback types. */
export const CALLBACK = { PONG: 1, CHANNEL_MESSAGE: 4, DEFERRED_CHANNEL_MESSAGE: 5 } as const

/** Message flag that shows a reply only to the user who asked. */
export const EPHEMERAL = 64

/** The parts of an interaction the edge reads. */
export const Interaction = z.object({
  id: z.string().min(1),
  application_id: z.string().min(1),
  type: z.number().int(),
  token: z.string().optional(),
  data: z
    .object({
      name: z.string().optional(),
      custom_id: z.string().optional(),
      options: z
        .array(
          z.object({ name: z.string(), value: z.union([z.string(), z.number(), z.boolean()]) })
        )
        .optional(),
    })
    .optional(),
})

/** A parsed interaction. */
export type Interaction = z.infer<typeof Interaction>

const ImagineOptions = z.object({
  prompt: Prompt,
  seed: Seed.optional(),
  steps: Steps.optional(),
})

/** Options of `/imagine`, validated with the contract's limits. */
export type ImagineOptions = z.infer<typeof ImagineOptions>

/** Reads `/imagine` options; the error names the bad option. */
export function readImagineOptions(interaction: Interaction): z.ZodSafeParseResult<ImagineOptions> {
  const options = Object.fromEntries(
    (interaction.data?.options ?? []).map((option) => [option.name, option.value])
  )
  return ImagineOptions.safeParse(options)
}

/** True for `/imagine`. */
export function isImagine(interaction: Interaction): boolean {
  return (
    interaction.type === INTERACTION.APPLICATION_COMMAND &&
    interaction.data?.name === IMAGINE_COMMAND.name
  )
}

/** A button press parsed from its custom id; undefined when it is not one of ours. */
export function readButton(
  interaction: Interaction
): { action: 'reroll' | 'more'; key: string } | undefined {
  if (interaction.type !== INTERACTION.MESSAGE_COMPONENT) {
    return undefined
  }
  const match = new RegExp(`^${BUTTON_PREFIX}:(reroll|more):([0-9a-f]{64})$`).exec(
    interaction.data?.custom_id ?? ''
  )
  const action = match?.[1]
  const key = match?.[2]
  return (action === 'reroll' || action === 'more') && key ? { action, key } : undefined
}
