import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import {
  type LocalStack,
  type LocalStackOptions,
  startLocalStack,
} from '../../../scripts/stack/local-stack.ts'

/** A stack started for one test file, with its own empty R2/KV/queue state. */
export interface E2eStack extends LocalStack {
  /** Where wrangler keeps this stack's state (a fresh temp folder). */
  stateDir: string
  /** The last lines of both children, for failure messages. */
  diagnostics: () => string
  /** Stops both children and removes the state folder. */
  dispose: () => Promise<void>
}

/**
 * Starts the real stack (`startLocalStack`: runner via `showo serve` on the CPU EP, edge under
 * `wrangler dev`) with wrangler state in a fresh temp folder, so every run starts with an empty
 * cache. Set E2E_VERBOSE=1 to stream the children's output.
 */
export async function startE2eStack(
  options: Omit<LocalStackOptions, 'persistTo' | 'log'> = {}
): Promise<E2eStack> {
  const stateDir = await mkdtemp(join(tmpdir(), 'showo-e2e-state-'))
  const log = process.env.E2E_VERBOSE
    ? (line: string) => {
        console.log(line)
      }
    : undefined
  let stack: LocalStack
  try {
    stack = await startLocalStack({
      ...options,
      persistTo: stateDir,
      ...(log ? { log } : {}),
    })
  } catch (error) {
    await rm(stateDir, { recursive: true, force: true })
    throw error
  }
  const diagnostics = (): string =>
    [stack.runner, stack.edge]
      .map((c) => `--- ${c.name} (${c.alive() ? 'alive' : 'exited'}) ---\n${c.output()}`)
      .join('\n')
  return {
    ...stack,
    stateDir,
    diagnostics,
    dispose: async () => {
      try {
        await stack.stop()
      } finally {
        await rm(stateDir, { recursive: true, force: true })
      }
    },
  }
}
