import { convertModel } from '../convert/convert-model.ts'
import type { Command } from './main.ts'
import { choiceFlag, parseFlags, required } from './parse-flags.ts'
import { createProgressBar } from './progress-bar.ts'

const HELP = `usage: showo convert --showo DIR --vq DIR --tokenizer PATH --out DIR [--dtype fp16|fp32]
                     [--vq-dtype fp32|fp16] [--family show-o-turbo|show-o] [--name NAME]

Converts a Show-o / Show-o Turbo checkpoint folder, a MAGVIT-v2 checkpoint folder and phi-1.5's
tokenizer.json into a model folder (ONNX graphs, weights, tokenizer, manifest.json).`

/** `showo convert`: published checkpoints → model folder. */
export const convertCommand: Command = {
  summary: 'convert Show-o / Show-o Turbo + MAGVIT-v2 checkpoints into a model folder',
  run: async (args) => {
    const flags = parseFlags(args, {
      showo: { type: 'string' },
      vq: { type: 'string' },
      tokenizer: { type: 'string' },
      out: { type: 'string', short: 'o' },
      dtype: { type: 'string' },
      'vq-dtype': { type: 'string' },
      family: { type: 'string' },
      name: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    })
    if (flags.help) {
      console.log(HELP)
      return 0
    }
    const bar = createProgressBar()
    const started = Date.now()
    const manifest = await convertModel({
      showoDir: required(flags.showo, 'showo'),
      vqDir: required(flags.vq, 'vq'),
      tokenizerPath: required(flags.tokenizer, 'tokenizer'),
      outDir: required(flags.out, 'out'),
      dtype: choiceFlag(flags.dtype, 'dtype', ['fp16', 'fp32'] as const) ?? 'fp16',
      vqDtype: choiceFlag(flags['vq-dtype'], 'vq-dtype', ['fp16', 'fp32'] as const) ?? 'fp32',
      family:
        choiceFlag(flags.family, 'family', ['show-o-turbo', 'show-o'] as const) ?? 'show-o-turbo',
      ...(flags.name ? { name: flags.name } : {}),
      progress: bar,
    }).finally(() => {
      bar.done()
    })
    const bytes = manifest.files.reduce((a, f) => a + f.bytes, 0)
    console.log(
      JSON.stringify({
        out: flags.out,
        name: manifest.name,
        dtype: manifest.dtype,
        bytes,
        seconds: (Date.now() - started) / 1000,
      })
    )
    return 0
  },
}
