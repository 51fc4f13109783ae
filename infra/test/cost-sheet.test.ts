import { readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { costRows, renderCostTable, usdPer1000Images } from '../lib/cost-sheet.ts'

const readme = readFileSync(
  join(dirname(dirname(fileURLToPath(import.meta.url))), 'README.md'),
  'utf8'
)

/** Table cells without the padding Prettier adds, so formatting does not matter. */
function cells(markdown: string): string[][] {
  return markdown
    .split('\n')
    .filter((line) => line.startsWith('|') && !/^\|[\s:|-]+\|$/.test(line))
    .map((line) =>
      line
        .slice(1, -1)
        .split('|')
        .map((cell) => cell.trim())
    )
}

describe('cost sheet', () => {
  it('prices 1,000 images from the hourly price and the GPU seconds per image', () => {
    expect(usdPer1000Images(3.6, 1)).toBeCloseTo(1, 10)
    expect(usdPer1000Images(0.8048, 0.25)).toBeCloseTo(0.0559, 4)
    expect(() => usdPer1000Images(1, 0)).toThrow(RangeError)
  })

  it('labels scaled figures as assumed and lets a measured one replace them', () => {
    expect(costRows().every((row) => row.throughputSource === 'assumed')).toBe(true)
    const rows = costRows({ 'g6.xlarge': { secondsPerImage: 0.1, basis: 'BENCHMARKS.md run 1' } })
    expect(rows.filter((row) => row.instanceType === 'g6.xlarge')).toEqual([
      expect.objectContaining({
        scenario: 'measured: BENCHMARKS.md run 1',
        throughputSource: 'measured',
        imagesPerHour: 36_000,
      }),
    ])
    expect(rows.filter((row) => row.instanceType === 'g5.xlarge')).toHaveLength(2)
  })

  it('is what infra/README.md shows (regenerate with `npm run -w infra cost-sheet`)', () => {
    const start = readme.indexOf('<!-- cost-sheet:start -->')
    const end = readme.indexOf('<!-- cost-sheet:end -->')
    expect(start).toBeGreaterThan(-1)
    expect(cells(readme.slice(start, end))).toEqual(cells(renderCostTable()))
  })
})
