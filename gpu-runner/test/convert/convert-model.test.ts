import { spawnSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  truncateSync,
  writeFileSync,
} from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Checkpoint } from '../../src/checkpoint/checkpoint.ts'
import { writeSafetensors } from '../../src/checkpoint/write-safetensors.ts'
import { convertModel } from '../../src/convert/convert-model.ts'
import { PRESETS } from '../../src/convert/presets.ts'
import { type RandomSources, writeRandomSources } from '../../src/convert/random-sources.ts'
import { readManifest } from '../../src/model/manifest.ts'

let root: string
let sources: RandomSources
const bin = resolve(import.meta.dirname, '../../bin/showo.mjs')

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'showo-convert-'))
  sources = writeRandomSources(join(root, 'sources'), PRESETS.tiny, 7)
})
afterAll(() => {
  rmSync(root, { recursive: true, force: true })
})

/** A copy of the Show-o checkpoint folder with its tensors edited. */
function editedShowo(
  name: string,
  edit: (tensors: { name: string; shape: number[] }[]) => { name: string; shape: number[] }[]
): string {
  const dir = join(root, name)
  mkdirSync(dir, { recursive: true })
  const original = Checkpoint.open(sources.showoDir)
  const tensors = edit(original.names().map((n) => ({ name: n, shape: original.shape(n) })))
  writeSafetensors(
    join(dir, 'pytorch_model.safetensors'),
    tensors.map((t) => ({
      name: t.name,
      shape: t.shape,
      fill: (_start: number, out: Float32Array) => out.fill(0.01),
    }))
  )
  original.close()
  writeFileSync(join(dir, 'config.json'), readFileSync(join(sources.showoDir, 'config.json')))
  return dir
}

function convertFrom(showoDir: string, out: string): Promise<unknown> {
  return convertModel({
    showoDir,
    vqDir: sources.vqDir,
    tokenizerPath: sources.tokenizerPath,
    outDir: out,
    dtype: 'fp32',
  })
}

/** Nothing of a failed conversion may remain: no model folder, no temporary folder. */
function leftovers(out: string): string[] {
  const parent = resolve(out, '..')
  return existsSync(out) ? [out] : readdirSync(parent).filter((f) => f.includes('.partial'))
}

describe('convertModel', () => {
  it('writes a model folder whose manifest lists every file with its hash', async () => {
    const out = join(root, 'models', 'ok')
    await convertFrom(sources.showoDir, out)
    const { manifest } = readManifest(out)
    expect(manifest.files.map((f) => f.path).sort()).toEqual(
      readdirSync(out)
        .filter((f) => f !== 'manifest.json')
        .sort()
    )
    for (const file of manifest.files) {
      const bytes = readFileSync(join(out, file.path))
      expect(bytes.length).toBe(file.bytes)
      expect(createHash('sha256').update(bytes).digest('hex')).toBe(file.sha256)
    }
    expect(manifest.defaults).toEqual({ steps: 4, topK: 200, guidanceScale: 0 })
    expect(manifest.tokens.imageOffset).toBe(manifest.tokens.textVocabSize + 10)
  })

  it('refuses to overwrite an existing folder', async () => {
    const out = join(root, 'models', 'ok')
    await expect(convertFrom(sources.showoDir, out)).rejects.toThrow(/already exists/)
  })

  it.each([
    [
      'missing',
      (t: { name: string; shape: number[] }[]) =>
        t.filter((x) => x.name !== 'showo.model.layers.1.mlp.fc2.bias'),
      /missing tensor 'showo\.model\.layers\.1\.mlp\.fc2\.bias'/,
    ],
    [
      'misshapen',
      (t: { name: string; shape: number[] }[]) =>
        t.map((x) =>
          x.name === 'showo.model.layers.0.self_attn.dense.weight' ? { ...x, shape: [64, 32] } : x
        ),
      /tensor 'showo\.model\.layers\.0\.self_attn\.dense\.weight' has shape \[64, 32\], expected \[64, 64\]/,
    ],
    [
      'extra',
      (t: { name: string; shape: number[] }[]) => [
        ...t,
        { name: 'mm_projector.0.weight', shape: [4, 4] },
      ],
      /unexpected tensor 'mm_projector\.0\.weight'/,
    ],
  ])(
    'refuses a checkpoint with a %s tensor, naming it, and leaves nothing behind',
    async (kind, edit, message) => {
      const out = join(root, 'models', `bad-${kind}`)
      await expect(convertFrom(editedShowo(`showo-${kind}`, edit), out)).rejects.toThrow(message)
      expect(leftovers(out)).toEqual([])
    }
  )

  it('refuses a truncated checkpoint and leaves nothing behind', async () => {
    const dir = editedShowo('showo-truncated', (t) => t)
    const file = join(dir, 'pytorch_model.safetensors')
    truncateSync(file, readFileSync(file).length - 100)
    const out = join(root, 'models', 'bad-truncated')
    await expect(convertFrom(dir, out)).rejects.toThrow(/truncated/)
    expect(leftovers(out)).toEqual([])
  })

  it('refuses a file that is not safetensors with one line and exit status 2 from the CLI', () => {
    const dir = editedShowo('showo-garbage', (t) => t)
    writeFileSync(join(dir, 'pytorch_model.safetensors'), 'definitely not a checkpoint')
    const out = join(root, 'models', 'bad-garbage')
    const result = spawnSync(
      process.execPath,
      [
        bin,
        'convert',
        '--showo',
        dir,
        '--vq',
        sources.vqDir,
        '--tokenizer',
        sources.tokenizerPath,
        '--out',
        out,
      ],
      { encoding: 'utf8' }
    )
    expect(result.status).toBe(2)
    expect(result.stderr.trim().split('\n')).toHaveLength(1)
    expect(result.stderr).toMatch(/not a safetensors file/)
    expect(leftovers(out)).toEqual([])
  })
})
