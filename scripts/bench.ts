// `npm run bench`: every benchmark in turn, then BENCHMARKS.md regenerated from bench-results/*.json.
// The model benchmarks use the `full` preset (the real 1.45B shape): expect about an hour on a
// 2-core machine. `--only engine,runner` runs a subset; `--python PATH` adds the PyTorch reference.
import { spawnSync } from 'node:child_process'
import { parseArgs } from 'node:util'
import { renderBenchmarks } from './bench/render-benchmarks.ts'
import { REPO } from './stack/local-stack.ts'

const { values } = parseArgs({ options: { only: { type: 'string' }, python: { type: 'string' } } })
const all = ['convert', 'engine', 'runner', 'edge'] as const
const selected = values.only ? values.only.split(',') : [...all]
const commands: Record<(typeof all)[number], string[]> = {
  convert: ['run', 'bench:convert'],
  engine: [
    'run',
    'bench:engine',
    '--',
    '--preset',
    'full',
    '--out',
    'engine-full-cpu',
    ...(values.python ? ['--python', values.python] : []),
  ],
  runner: ['run', 'bench:runner'],
  edge: ['run', 'bench:edge'],
}
let failed = 0
for (const name of all.filter((n) => selected.includes(n))) {
  console.log(`\n=== bench:${name} ===`)
  const result = spawnSync('npm', commands[name], { cwd: REPO, stdio: 'inherit' })
  if (result.status !== 0) {
    failed++
    console.error(`bench:${name} exited with ${result.status}`)
  }
}
renderBenchmarks(REPO)
// The benchmarks write plain tables; the repository's format check wants them aligned.
spawnSync('npx', ['prettier', '--write', 'BENCHMARKS.md'], { cwd: REPO, stdio: 'inherit' })
console.log('\nBENCHMARKS.md updated from bench-results/.')
process.exitCode = failed === 0 ? 0 : 1
