import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, assert, beforeEach } from 'vitest'
import {
  type LocalStack,
  type LocalStackOptions,
  startLocalStack,
} from '../../../scripts/stack/local-stack.ts'
import { send } from './http.ts'

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

/** The sha256 of the model the runner serves, read from `/readyz`; fails unless it is ready. */
export async function readyModelSha(runnerUrl: string): Promise<string> {
  const readyz = await send(`${runnerUrl}/readyz`)
  assert.strictEqual(readyz.status, 200, readyz.summary)
  const sha = (readyz.json() as { model: { sha: string } | null }).model?.sha ?? ''
  assert.match(sha, /^[0-9a-f]{64}$/, readyz.summary)
  return sha
}

/**
 * A test file's stack hooks: after the file, `cleanups` run newest first (also when the start
 * failed halfway); when a test fails, the stack's recent output is printed beside it.
 */
export function useStackHooks(
  cleanups: (() => Promise<unknown>)[],
  diagnostics: () => string
): void {
  afterAll(async () => {
    for (const cleanup of cleanups.reverse()) {
      await cleanup()
    }
  })
  beforeEach(({ onTestFailed }) => {
    onTestFailed(() => {
      console.error(`stack output at the failure:\n${diagnostics()}`)
    })
  })
}
