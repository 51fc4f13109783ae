import { CheckpointError } from '../checkpoint/checkpoint-error.ts'
import { InvalidRequestError } from '../errors.ts'
import { ModelFolderError } from '../model/manifest.ts'
import { RuntimeError } from '../model/runtime.ts'
import { UsageError } from './usage-error.ts'

/** A CLI sub-command: parses its own arguments and returns the process exit status. */
export type Command = {
  summary: string
  run: (args: string[]) => Promise<number>
}

/** Loads commands lazily so `showo generate` does not pay for the converter's imports. */
const COMMANDS: Record<string, () => Promise<Command>> = {
  bench: async () => (await import('./bench.ts')).benchCommand,
  convert: async () => (await import('./convert.ts')).convertCommand,
  describe: async () => (await import('./describe.ts')).describeCommand,
  generate: async () => (await import('./generate.ts')).generateCommand,
  'make-tiny': async () => (await import('./make-tiny.ts')).makeTinyCommand,
  serve: async () => (await import('./serve.ts')).serveCommand,
}

function usage(): string {
  const lines = Object.keys(COMMANDS).map((name) => `  ${name}`)
  return `usage: showo <command> [options]\n\ncommands:\n${lines.join('\n')}\n\nRun 'showo <command> --help' for a command's options.`
}

/** Problems the user can fix (arguments, input files, model folder, EP): one line, exit 2. */
const USER_ERRORS = [
  UsageError,
  CheckpointError,
  ModelFolderError,
  RuntimeError,
  InvalidRequestError,
]

/** Entry point of the `showo` binary. Known problems exit 2 with one line; bugs exit 1 with a stack. */
export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv
  if (name === undefined || name === '--help' || name === '-h') {
    console.log(usage())
    return name === undefined ? 2 : 0
  }
  const load = COMMANDS[name]
  if (!load) {
    console.error(`showo: unknown command '${name}'\n\n${usage()}`)
    return 2
  }
  try {
    const command = await load()
    return await command.run(rest)
  } catch (error) {
    if (USER_ERRORS.some((kind) => error instanceof kind)) {
      console.error(`showo ${name}: ${(error as Error).message}`)
      return 2
    }
    console.error(error)
    return 1
  }
}
