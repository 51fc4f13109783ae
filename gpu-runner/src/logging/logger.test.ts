import { describe, expect, it } from 'vitest'
import { createLogger } from './logger.ts'

describe('createLogger', () => {
  it('writes one JSON object per line with time, level, message and fields', () => {
    const lines: string[] = []
    const logger = createLogger({ level: 'info', write: (l) => lines.push(l), wallNow: () => 0 })
    logger.info('request', { requestId: 'r-1', status: 200, skipped: undefined })
    expect(lines).toEqual([
      '{"time":"1970-01-01T00:00:00.000Z","level":"info","msg":"request","requestId":"r-1","status":200}',
    ])
  })

  it('drops lines below the configured level', () => {
    const lines: string[] = []
    const logger = createLogger({ level: 'warn', write: (l) => lines.push(l), wallNow: () => 0 })
    logger.debug('a')
    logger.info('b')
    logger.warn('c')
    logger.error('d')
    expect(lines.map((l) => (JSON.parse(l) as { msg: string }).msg)).toEqual(['c', 'd'])
  })
})
