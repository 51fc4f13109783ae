import { mkdirSync, writeFileSync } from 'node:fs'
import { join, resolve } from 'node:path'

/** Writes a benchmark's figures to `bench-results/<name>.json` (repository root or `$SHOWO_BENCH_DIR`). */
export function writeResult(name: string, result: unknown): string {
  const dir = process.env.SHOWO_BENCH_DIR
    ? join(process.env.SHOWO_BENCH_DIR, 'bench-results')
    : resolve(import.meta.dirname, '../../bench-results')
  mkdirSync(dir, { recursive: true })
  const path = join(dir, `${name}.json`)
  writeFileSync(path, `${JSON.stringify(result, null, 2)}\n`)
  return path
}
