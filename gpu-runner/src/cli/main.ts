import { UsageError } from './usage-error.ts'

/** A CLI sub-command: parses its own arguments and returns the process exit status. */
export type Command = {
  summary: string
  run: (args: string[]) => Promise<number>
}

/** Loads commands lazily so `showo generate` does not pay for the converter's imports. */
const COMMANDS: Record<string, () => Promise<Command>> = {}

function usage(): string {
  const lines = Object.keys(COMMANDS).map((name) => `  ${name}`)
  return `usage: showo <command> [options]\n\ncommands:\n${lines.join('\n')}\n\nRun 'showo <command> --help' for a command's options.`
}

/** Entry point of the `showo` binary. Never throws: known problems exit 2 with one line. */
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
    if (error instanceof UsageError) {
      console.error(`showo ${name}: ${error.message}`)
      return 2
    }
    throw error
  }
}
