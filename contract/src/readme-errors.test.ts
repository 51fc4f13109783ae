import { readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { describe, expect, it } from 'vitest'
import { ERROR_CODES, ERROR_DOCS, ERROR_STATUS } from './errors.ts'

describe('README error table', () => {
  const readme = readFileSync(resolve(import.meta.dirname, '../../README.md'), 'utf8')

  it.each(ERROR_CODES)('documents %s with its status and meaning', (code) => {
    const row = readme.split('\n').find((line) => line.startsWith(`| \`${code}\``))
    expect(row).toBeDefined()
    const cells = (row ?? '').split('|').map((cell) => cell.trim())
    expect(cells[2]).toBe(String(ERROR_STATUS[code]))
    expect(cells[3]).toBe(ERROR_DOCS[code])
  })
})
