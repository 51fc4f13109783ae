import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import {
  manifestFor,
  sampleModelFiles,
  sha256,
  writeModelFolder,
} from '../../test/runner/support/model-folder.ts'
import { readManifestFiles } from './manifest-files.ts'
import { ModelVerificationError } from './model-verification-error.ts'
import { verifyModelDir } from './verify-model-dir.ts'

let dir: string

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'showo-verify-'))
})

afterEach(async () => {
  await rm(dir, { recursive: true, force: true })
})

async function failure(promise: Promise<unknown>): Promise<ModelVerificationError> {
  const error: unknown = await promise.then(
    () => undefined,
    (e: unknown) => e
  )
  expect(error).toBeInstanceOf(ModelVerificationError)
  return error as ModelVerificationError
}

describe('verifyModelDir', () => {
  it('accepts a folder whose files match the manifest and returns the manifest sha', async () => {
    const manifest = await writeModelFolder(dir, sampleModelFiles())
    const listing = await verifyModelDir(dir)
    expect(listing.sha).toBe(sha256(manifest))
    expect(listing.files.map((f) => f.path)).toEqual([
      'transformer.onnx',
      'transformer.onnx.data',
      'tokenizer/tokenizer.json',
    ])
  })

  it('refuses a file whose bytes differ, naming it', async () => {
    const files = sampleModelFiles()
    await writeModelFolder(dir, files)
    const corrupted = new Uint8Array(files['transformer.onnx.data'] ?? [])
    corrupted[100] = (corrupted[100] ?? 0) ^ 0xff
    await writeFile(join(dir, 'transformer.onnx.data'), corrupted)
    const error = await failure(verifyModelDir(dir))
    expect(error.file).toBe('transformer.onnx.data')
    expect(error.message).toMatch(
      /^model file transformer.onnx.data has sha256 [0-9a-f]{64}, the manifest says/
    )
  })

  it('refuses a missing or truncated file, naming it', async () => {
    const files = sampleModelFiles()
    const { 'tokenizer/tokenizer.json': _dropped, ...rest } = files
    await writeModelFolder(dir, rest, files)
    expect((await failure(verifyModelDir(dir))).message).toContain(
      'model file tokenizer/tokenizer.json is missing'
    )
    await writeModelFolder(dir, { ...files, 'transformer.onnx': new Uint8Array(3) }, files)
    expect((await failure(verifyModelDir(dir))).message).toBe(
      'model file transformer.onnx has 3 bytes, the manifest says 10'
    )
  })

  it('refuses a folder without a readable manifest', async () => {
    expect((await failure(verifyModelDir(dir))).file).toBe('manifest.json')
  })
})

describe('readManifestFiles', () => {
  const encode = (value: unknown) => new TextEncoder().encode(JSON.stringify(value))
  const entry = { path: 'a.onnx', bytes: 1, sha256: 'a'.repeat(64) }

  it.each([
    ['files', {}],
    ['files', { files: [] }],
    ['files.0.path', { files: [{ ...entry, path: '../etc/passwd' }] }],
    ['files.0.path', { files: [{ ...entry, path: '/abs' }] }],
    ['files.0.path', { files: [{ ...entry, path: 'manifest.json' }] }],
    ['files.0.path', { files: [{ ...entry, path: 'w.onnx.part' }] }],
    ['files.0.bytes', { files: [{ ...entry, bytes: -1 }] }],
    ['files.0.sha256', { files: [{ ...entry, sha256: 'ABC' }] }],
    ['twice', { files: [entry, entry] }],
  ])('refuses a manifest with bad %s', (problem, manifest) => {
    expect(() => readManifestFiles(encode(manifest))).toThrow(problem)
  })

  it('refuses bytes that are not JSON', () => {
    expect(() => readManifestFiles(new TextEncoder().encode('{'))).toThrow('not valid JSON')
  })

  it('keeps the rest of the manifest out of its way', () => {
    const bytes = manifestFor(sampleModelFiles())
    expect(readManifestFiles(bytes).sha).toBe(sha256(bytes))
  })
})
