import { fileURLToPath } from 'node:url'
import { unstable_startWorker } from 'wrangler'

/** The root wrangler.toml: the same config `wrangler dev` uses. */
export const WRANGLER_CONFIG = fileURLToPath(new URL('../../wrangler.toml', import.meta.url))

/** A running local edge (`wrangler dev` through Wrangler's API). */
export interface LocalEdge {
  url: string
  stop: () => Promise<void>
}

/**
 * Starts the edge Worker locally, offline, with in-memory storage; `vars` override
 * wrangler.toml's vars and stand in for secrets. `entrypoint` swaps in another Worker module
 * (the benchmark's) over the same bindings.
 */
export async function startEdge(
  vars: Record<string, string>,
  entrypoint?: string
): Promise<LocalEdge> {
  const worker = await unstable_startWorker({
    config: WRANGLER_CONFIG,
    ...(entrypoint === undefined ? {} : { entrypoint }),
    bindings: Object.fromEntries(
      Object.entries(vars).map(([name, value]) => [name, { type: 'plain_text', value }])
    ),
    sendMetrics: false,
    dev: {
      server: { hostname: '127.0.0.1', port: 0 },
      inspector: false,
      persist: false,
      watch: false,
      logLevel: 'warn',
    },
  })
  await worker.ready
  const url = (await worker.url).toString().replace(/\/$/, '')
  return { url, stop: () => worker.dispose() }
}
