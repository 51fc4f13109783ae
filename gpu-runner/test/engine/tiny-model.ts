import { existsSync, mkdirSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { makeTinyModel } from '../../src/convert/make-tiny.ts'

/**
 * A tiny random model shared by the engine tests of one run: made once per seed under the package's
 * ignored `.tmp/` folder (it takes about a second), then reused.
 */
export async function tinyModel(seed = 11): Promise<string> {
  const root = resolve(import.meta.dirname, '../../.tmp/models')
  const dir = join(root, `tiny-${seed}-${process.pid}`)
  if (!existsSync(dir)) {
    mkdirSync(root, { recursive: true })
    await makeTinyModel({ outDir: dir, seed })
  }
  return dir
}
