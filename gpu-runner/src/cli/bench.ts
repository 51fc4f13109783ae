import { spawn } from 'node:child_process'
import { resolve } from 'node:path'
import type { Command } from './main.ts'
import { UsageError } from './usage-error.ts'

/** Benchmark scripts of this package (benchmarks report figures; they are not tests). */
const BENCHMARKS: Record<string, string> = {
  convert: 'bench/convert.ts',
  engine: 'bench/engine.ts',
  runner: 'bench/runner/bench-runner.ts',
}

const HELP = `usage: showo bench convert|engine|runner [options]

Runs one benchmark and prints its figures (JSON in bench-results/). Options are the script's own,
e.g. 'showo bench engine --preset small --ep webgpu'. 'npm run bench' at the repository root runs
them all and updates BENCHMARKS.md.`

/** `showo bench <name>`: runs a benchmark script in a child process. */
export const benchCommand: Command = {
  summary: 'run a benchmark (convert, engine, runner)',
  run: async ([name, ...rest]) => {
    if (name === undefined || name === '--help' || name === '-h') {
      console.log(HELP)
      return name === undefined ? 2 : 0
    }
    const script = BENCHMARKS[name]
    if (!script) {
      throw new UsageError(
        `unknown benchmark '${name}' (choose ${Object.keys(BENCHMARKS).join(', ')})`
      )
    }
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', resolve(import.meta.dirname, '../..', script), ...rest],
      {
        stdio: 'inherit',
      }
    )
    return new Promise((done) => {
      child.once('exit', (code) => {
        done(code ?? 1)
      })
    })
  },
}
