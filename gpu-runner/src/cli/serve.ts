import { parseArgs } from 'node:util'
import { createOnnxEngine } from '../engine/onnx-engine.ts'
import type { EngineFactory } from '../main.ts'
import type { Command } from './main.ts'
import { UsageError } from './usage-error.ts'

const HELP = `usage: showo serve --model DIR|s3://bucket/prefix [--port N]

Serves the runner HTTP API. Settings come from RUNNER_* environment variables; --model and
--port override RUNNER_MODEL_URI and RUNNER_PORT. Stops on SIGTERM/SIGINT after draining.`

/** The engine behind `showo serve`: ONNX Runtime sessions in a worker thread. */
export const createEngine: EngineFactory = (options) => createOnnxEngine(options)

/** `showo serve`. */
export const serveCommand: Command = {
  summary: 'serve the runner HTTP API (POST /v1/generate, /v1/understand, /readyz, /metrics)',
  async run(args) {
    const overrides = parseServeArgs(args)
    if (overrides === 'help') {
      console.log(HELP)
      return 0
    }
    const { runServe } = await import('../main.ts')
    return runServe(overrides, { createEngine })
  },
}

/** Turns the command line into `RUNNER_*` overrides; bad flags are a {@link UsageError}. */
export function parseServeArgs(args: string[]): Record<string, string> | 'help' {
  let values
  try {
    values = parseArgs({
      args,
      options: {
        model: { type: 'string' },
        port: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
      allowPositionals: false,
    }).values
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error))
  }
  if (values.help) {
    return 'help'
  }
  const overrides: Record<string, string> = {}
  if (values.model !== undefined) {
    overrides.RUNNER_MODEL_URI = values.model
  }
  if (values.port !== undefined) {
    overrides.RUNNER_PORT = values.port
  }
  return overrides
}
