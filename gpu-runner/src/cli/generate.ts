import { randomInt } from 'node:crypto'
import { renameSync, writeFileSync } from 'node:fs'
import { LIMITS } from '@showo/contract'
import { ENGINE_FLAGS, openEngine } from './engine-flags.ts'
import type { Command } from './main.ts'
import { intFlag, numberFlag, parseFlags, required, textFlag } from './parse-flags.ts'

const HELP = `usage: showo generate --model DIR --prompt TEXT -o FILE.png [--seed N] [--steps N] [--top-k N]
                      [--guidance W] [--ep cpu|cuda|webgpu|auto] [--threads N]

Draws one image and prints a JSON receipt (seed, steps, model sha, EP, timings). The same request
on the same model and EP writes the same bytes.`

/** `showo generate`: one prompt → one PNG. */
export const generateCommand: Command = {
  summary: 'draw an image from a prompt',
  run: async (args) => {
    const flags = parseFlags(args, {
      ...ENGINE_FLAGS,
      prompt: { type: 'string' },
      output: { type: 'string', short: 'o' },
      seed: { type: 'string' },
      steps: { type: 'string' },
      'top-k': { type: 'string' },
      guidance: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    })
    if (flags.help) {
      console.log(HELP)
      return 0
    }
    const prompt = textFlag(flags.prompt, 'prompt', LIMITS.promptMaxChars)
    const output = required(flags.output, 'output')
    const seed = intFlag(flags.seed, 'seed', 0, LIMITS.seedMax) ?? randomInt(0, 2 ** 32 - 1)
    const steps = intFlag(flags.steps, 'steps', LIMITS.stepsMin, LIMITS.stepsMax)
    const topK = intFlag(flags['top-k'], 'top-k', LIMITS.topKMin, LIMITS.topKMax)
    const guidance = numberFlag(flags.guidance, 'guidance', LIMITS.guidanceMin, LIMITS.guidanceMax)
    const engine = await openEngine(flags, false)
    try {
      const d = engine.info.defaults
      const params = {
        prompt,
        seed,
        steps: steps ?? d.steps,
        topK: topK ?? d.topK,
        guidanceScale: guidance ?? d.guidanceScale,
        resolution: d.resolution,
      }
      const [result] = await engine.generate([{ params, signal: new AbortController().signal }])
      if (!result?.ok) {
        throw result?.error ?? new Error('no result')
      }
      const partial = `${output}.partial`
      writeFileSync(partial, result.value.png)
      renameSync(partial, output)
      console.log(
        JSON.stringify({
          output,
          bytes: result.value.png.length,
          ...params,
          model: { name: engine.info.name, sha: engine.info.sha },
          ep: engine.info.ep,
          batchIndependent: engine.info.batchIndependent,
          timings: roundTimings(result.value.timings),
        })
      )
      return 0
    } finally {
      await engine.close()
    }
  },
}

/** Milliseconds to one decimal for the receipt. */
export function roundTimings(timings: object): Record<string, number> {
  return Object.fromEntries(
    Object.entries(timings).map(([k, v]) => [k, Math.round(Number(v) * 10) / 10])
  )
}
