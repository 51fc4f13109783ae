import { existsSync } from 'node:fs'
import { dirname, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

const here = dirname(fileURLToPath(import.meta.url))

/**
 * The golden fixture folder: `$GOLDEN_DIR` when set; else the shared fixtures beside the checkout
 * (`../shared/fixtures/golden`); else the copy kept in this repository for clean CI clones.
 */
export function goldenDir(): string {
  const fromEnv = process.env.GOLDEN_DIR
  if (fromEnv) {
    return resolve(fromEnv)
  }
  const shared = resolve(here, '../../../../shared/fixtures/golden')
  return existsSync(shared) ? shared : resolve(here, '../fixtures/golden')
}
