import { spawnSync } from 'node:child_process'
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import sharp from 'sharp'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { tinyModel } from '../engine/tiny-model.ts'

const bin = resolve(import.meta.dirname, '../../bin/showo.mjs')
let model: string
let work: string

function showo(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8' })
  return { status: r.status, stdout: r.stdout, stderr: r.stderr }
}

beforeAll(async () => {
  model = await tinyModel(31)
  work = mkdtempSync(join(tmpdir(), 'showo-cli-'))
})
afterAll(() => {
  rmSync(model, { recursive: true, force: true })
  rmSync(work, { recursive: true, force: true })
})

describe('showo generate', () => {
  it('writes identical files for one seed, a different file for another, and prints a receipt', () => {
    const run = (seed: string, out: string): Record<string, unknown> => {
      const r = showo(
        'generate',
        '--model',
        model,
        '--prompt',
        'a lighthouse at night',
        '--seed',
        seed,
        '-o',
        join(work, out)
      )
      expect(r.status).toBe(0)
      return JSON.parse(r.stdout) as Record<string, unknown>
    }
    const receipt = run('42', 'a.png')
    run('42', 'b.png')
    run('43', 'c.png')
    const [a, b, c] = ['a.png', 'b.png', 'c.png'].map((f) => readFileSync(join(work, f)))
    expect(a).toEqual(b)
    expect(a).not.toEqual(c)
    expect(receipt).toMatchObject({
      seed: 42,
      steps: 4,
      topK: 200,
      guidanceScale: 0,
      ep: 'cpu',
      model: { name: 'random-tiny' },
    })
    expect(receipt.timings).toHaveProperty('totalMs')
  })

  it.each([
    [['--steps', '0'], /--steps must be an integer from 1 to 50/],
    [['--steps', '4.5'], /--steps must be an integer/],
    [['--top-k', '0'], /--top-k must be an integer from 1 to 8192/],
    [['--guidance=-1'], /--guidance must be a number from 0 to 20/],
    [['--seed=-1'], /--seed must be an integer from 0 to 4294967295/],
    [['--seed', 'abc'], /--seed must be an integer/],
    [['--ep', 'tpu'], /--ep must be one of cpu, cuda, webgpu, auto/],
    [['--bogus', '1'], /Unknown option '--bogus'/],
  ])('refuses %j with one line and exit status 2', (extra, message) => {
    const r = showo(
      'generate',
      '--model',
      model,
      '--prompt',
      'x',
      '-o',
      join(work, 'x.png'),
      ...extra
    )
    expect(r.status).toBe(2)
    expect(r.stderr.trim().split('\n')).toHaveLength(1)
    expect(r.stderr).toMatch(message)
  })

  it('refuses a missing prompt', () => {
    const r = showo('generate', '--model', model, '-o', join(work, 'x.png'))
    expect(r.status).toBe(2)
    expect(r.stderr.trim()).toBe('showo generate: --prompt is required')
  })

  it('refuses a missing, corrupt or mismatched model folder with one line', () => {
    const cases: [string, RegExp][] = []
    cases.push([join(work, 'nowhere'), /not a model folder \(no manifest\.json\)/])
    const corrupt = join(work, 'corrupt')
    cpSync(model, corrupt, { recursive: true })
    writeFileSync(join(corrupt, 'manifest.json'), '{"format": "showo-model/1", "name": ')
    cases.push([corrupt, /manifest\.json: not valid JSON/])
    const mismatched = join(work, 'mismatched')
    cpSync(model, mismatched, { recursive: true })
    writeFileSync(join(mismatched, 'transformer.data'), Buffer.alloc(10))
    cases.push([mismatched, /transformer\.data has 10 bytes, manifest\.json says/])
    const broken = join(work, 'broken-graph')
    cpSync(model, broken, { recursive: true })
    const manifest = JSON.parse(readFileSync(join(broken, 'manifest.json'), 'utf8')) as {
      files: { path: string; bytes: number }[]
    }
    writeFileSync(
      join(broken, 'prefill.onnx'),
      Buffer.alloc(manifest.files.find((f) => f.path === 'prefill.onnx')?.bytes ?? 0, 7)
    )
    cases.push([broken, /execution provider 'cpu' cannot open .*prefill\.onnx/])
    for (const [dir, message] of cases) {
      const r = showo(
        'generate',
        '--model',
        dir,
        '--prompt',
        'x',
        '--seed',
        '1',
        '-o',
        join(work, 'x.png')
      )
      expect(r.status).toBe(2)
      expect(r.stderr.trim().split('\n')).toHaveLength(1)
      expect(r.stderr).toMatch(message)
    }
  })
})

describe('showo describe', () => {
  it('answers a question about an image and prints a receipt', async () => {
    const image = join(work, 'in.jpg')
    writeFileSync(
      image,
      await sharp({ create: { width: 64, height: 96, channels: 3, background: '#aa2200' } })
        .jpeg()
        .toBuffer()
    )
    const r = showo(
      'describe',
      '--model',
      model,
      '--image',
      image,
      '--question',
      'What color is it?',
      '--max-new-tokens',
      '12'
    )
    expect(r.status).toBe(0)
    const receipt = JSON.parse(r.stdout) as { answer: string; tokens: number }
    expect(receipt.tokens).toBeGreaterThan(0)
    expect(receipt.tokens).toBeLessThanOrEqual(12)
  })

  it('refuses an unreadable image file with one line', () => {
    const r = showo(
      'describe',
      '--model',
      model,
      '--image',
      join(work, 'missing.png'),
      '--question',
      'what?'
    )
    expect(r.status).toBe(2)
    expect(r.stderr.trim()).toMatch(/--image: cannot read/)
  })
})
