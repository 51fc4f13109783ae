import { cpus, totalmem } from 'node:os'
import type { Machine } from './results.ts'

/** The machine a benchmark ran on, for BENCHMARKS.md. */
export function describeMachine(): Machine {
  const list = cpus()
  return {
    cpu: list[0]?.model.trim() ?? 'unknown',
    cores: list.length,
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    date: new Date().toISOString().slice(0, 10),
  }
}
