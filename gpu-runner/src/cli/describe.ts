import { readFileSync } from 'node:fs'
import { LIMITS } from '@showo/contract'
import { ENGINE_FLAGS, openEngine } from './engine-flags.ts'
import { roundTimings } from './generate.ts'
import type { Command } from './main.ts'
import { intFlag, parseFlags, required, textFlag } from './parse-flags.ts'
import { UsageError } from './usage-error.ts'

const HELP = `usage: showo describe --model DIR --image FILE --question TEXT [--max-new-tokens N]
                      [--ep cpu|cuda|webgpu|auto] [--threads N]

Answers a question about an image (PNG, JPEG or WebP) and prints a JSON receipt.`

/** `showo describe`: image + question → answer. */
export const describeCommand: Command = {
  summary: 'answer a question about an image',
  run: async (args) => {
    const flags = parseFlags(args, {
      ...ENGINE_FLAGS,
      image: { type: 'string' },
      question: { type: 'string' },
      'max-new-tokens': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    })
    if (flags.help) {
      console.log(HELP)
      return 0
    }
    const imagePath = required(flags.image, 'image')
    const question = textFlag(flags.question, 'question', LIMITS.questionMaxChars)
    let image: Uint8Array
    try {
      image = readFileSync(imagePath)
    } catch {
      throw new UsageError(`--image: cannot read ${imagePath}`)
    }
    if (image.length > LIMITS.imageMaxBytes) {
      throw new UsageError(`--image: ${imagePath} is over ${LIMITS.imageMaxBytes} bytes`)
    }
    const maxNewTokens =
      intFlag(flags['max-new-tokens'], 'max-new-tokens', 1, LIMITS.maxNewTokensMax) ?? 128
    const engine = await openEngine(flags, true)
    try {
      const answer = await engine.understand({
        image,
        question,
        maxNewTokens,
        signal: new AbortController().signal,
      })
      console.log(
        JSON.stringify({
          answer: answer.text,
          tokens: answer.tokens,
          model: { name: engine.info.name, sha: engine.info.sha },
          ep: engine.info.ep,
          timings: roundTimings(answer.timings),
        })
      )
      return 0
    } finally {
      await engine.close()
    }
  },
}
