import { describe, expect, it } from 'vitest'
import { readSynthArgs, SynthArgsError } from '../lib/synth-args.ts'

describe('readSynthArgs', () => {
  it('takes a relative --output from where npm was started', () => {
    const env = { INIT_CWD: '/repo' }
    expect(readSynthArgs(['--output', 'out'], env, '/repo/infra')).toEqual({ outdir: '/repo/out' })
  })

  it('accepts --output=DIR and keeps an absolute folder as it is', () => {
    expect(readSynthArgs(['--output=/tmp/x'], {}, '/repo/infra')).toEqual({ outdir: '/tmp/x' })
  })

  it("falls back to the cdk CLI's CDK_OUTDIR, then to cdk.out", () => {
    expect(readSynthArgs([], { CDK_OUTDIR: '/cli/out' }, '/repo/infra').outdir).toBe('/cli/out')
    expect(readSynthArgs([], {}, '/repo/infra').outdir).toBe('/repo/infra/cdk.out')
  })

  it('rejects a missing folder and unknown arguments with the usage', () => {
    expect(() => readSynthArgs(['--output'], {}, '/')).toThrow(SynthArgsError)
    expect(() => readSynthArgs(['--output', '--x'], {}, '/')).toThrow(/needs a folder/)
    expect(() => readSynthArgs(['--profile', 'x'], {}, '/')).toThrow(
      /usage: synth \[--output DIR\]/
    )
  })
})
