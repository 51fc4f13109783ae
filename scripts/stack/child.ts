import { type ChildProcess, spawn } from 'node:child_process'
import { once } from 'node:events'

/** A child process of the stack, its output prefixed and kept for diagnostics. */
export interface StackChild {
  name: string
  process: ChildProcess
  /** The last lines it printed (stdout and stderr). */
  output: () => string
  alive: () => boolean
  /** Sends SIGTERM, then SIGKILL after `graceMs`; resolves with the exit code. */
  stop: (graceMs?: number) => Promise<number | null>
}

/** Starts a child; its lines go to `log` (prefixed with its name) and a rolling buffer. */
export function startChild(
  name: string,
  command: string,
  args: string[],
  options: { env: NodeJS.ProcessEnv; cwd: string; log?: (line: string) => void }
): StackChild {
  const child = spawn(command, args, {
    env: options.env,
    cwd: options.cwd,
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  const lines: string[] = []
  let exited = false
  child.once('exit', () => {
    exited = true
  })
  const collect = (chunk: Buffer): void => {
    for (const line of chunk.toString('utf8').split('\n')) {
      if (line.trim() === '') {
        continue
      }
      lines.push(line)
      if (lines.length > 200) {
        lines.shift()
      }
      options.log?.(`[${name}] ${line}`)
    }
  }
  child.stdout.on('data', collect)
  child.stderr.on('data', collect)
  return {
    name,
    process: child,
    output: () => lines.join('\n'),
    alive: () => !exited,
    stop: async (graceMs = 15_000) => {
      if (exited) {
        return child.exitCode
      }
      const exit = once(child, 'exit')
      child.kill('SIGTERM')
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs)
      const [code] = (await exit) as [number | null]
      clearTimeout(timer)
      return code
    },
  }
}
