import { makeTinyModel } from '../convert/make-tiny.ts'
import type { Command } from './main.ts'
import { choiceFlag, intFlag, parseFlags, required } from './parse-flags.ts'
import { createProgressBar } from './progress-bar.ts'

const HELP = `usage: showo make-tiny --out DIR [--preset tiny|small|full] [--seed N] [--dtype fp16|fp32]
                       [--keep-sources DIR]

Makes a randomly initialised Show-o model (real architecture and token layout, chosen size) and
converts it into a model folder. 'full' is the real 1.45B shape (5.8 GB of random weights).`

/** `showo make-tiny`: a random model folder for tests, demos and benchmarks. */
export const makeTinyCommand: Command = {
  summary: 'make a random model folder (tiny, small or the full 1.45B shape)',
  run: async (args) => {
    const flags = parseFlags(args, {
      out: { type: 'string', short: 'o' },
      preset: { type: 'string' },
      seed: { type: 'string' },
      dtype: { type: 'string' },
      'keep-sources': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    })
    if (flags.help) {
      console.log(HELP)
      return 0
    }
    const bar = createProgressBar()
    const manifest = await makeTinyModel({
      outDir: required(flags.out, 'out'),
      preset: choiceFlag(flags.preset, 'preset', ['tiny', 'small', 'full'] as const) ?? 'tiny',
      seed: intFlag(flags.seed, 'seed', 0, 2 ** 31 - 1) ?? 0,
      ...(flags.dtype
        ? { dtype: choiceFlag(flags.dtype, 'dtype', ['fp16', 'fp32'] as const) }
        : {}),
      ...(flags['keep-sources'] ? { sourcesDir: flags['keep-sources'] } : {}),
      progress: bar,
    }).finally(() => {
      bar.done()
    })
    console.log(JSON.stringify({ out: flags.out, name: manifest.name, dtype: manifest.dtype }))
    return 0
  },
}
