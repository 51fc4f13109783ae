import type { ConvertProgress } from '../convert/convert-model.ts'

/**
 * A one-line progress display on a TTY (stderr), redrawn at most ten times a second; on anything
 * else it prints nothing, so logs and pipes stay clean.
 */
export function createProgressBar(
  stream: NodeJS.WriteStream = process.stderr
): ConvertProgress & { done: () => void } {
  const tty = stream.isTTY
  let phase = ''
  let total = 0
  let current = 0
  let lastDraw = 0
  const started = Date.now()
  const draw = (force: boolean): void => {
    const now = Date.now()
    if (!tty || (!force && now - lastDraw < 100)) {
      return
    }
    lastDraw = now
    const seconds = ((now - started) / 1000).toFixed(0)
    if (total > 0) {
      const fraction = Math.min(1, current / total)
      const width = 30
      const filled = Math.round(fraction * width)
      stream.write(
        `\r${phase.padEnd(18)} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${(fraction * 100).toFixed(0).padStart(3)}%  ${seconds}s`
      )
    } else {
      stream.write(`\r${phase.padEnd(18)} ${' '.repeat(38)}${seconds}s`)
    }
  }
  return {
    phase: (name, elements) => {
      if (tty && phase) {
        draw(true)
        stream.write('\n')
      }
      phase = name
      total = elements
      current = 0
      draw(true)
    },
    advance: (elements) => {
      current += elements
      draw(false)
    },
    done: () => {
      if (tty && phase) {
        draw(true)
        stream.write('\n')
      }
    },
  }
}
