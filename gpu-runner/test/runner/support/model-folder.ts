import { createHash } from 'node:crypto'
import { mkdir, writeFile } from 'node:fs/promises'
import { dirname, join } from 'node:path'

/** Files of a small model folder for tests: name → contents. */
export type FolderFiles = Record<string, Uint8Array>

/** A few files that look like a model folder (the runner only checks sizes and hashes). */
export function sampleModelFiles(weightBytes = 64 * 1024): FolderFiles {
  const weights = new Uint8Array(weightBytes)
  for (let i = 0; i < weights.length; i++) {
    weights[i] = (i * 31 + 7) % 251
  }
  return {
    'transformer.onnx': new TextEncoder().encode('fake graph'),
    'transformer.onnx.data': weights,
    'tokenizer/tokenizer.json': new TextEncoder().encode('{"fake":true}'),
  }
}

/** The manifest.json bytes listing `files` with their sizes and sha256. */
export function manifestFor(files: FolderFiles, name = 'test-model'): Uint8Array {
  const listed = Object.entries(files).map(([path, bytes]) => ({
    path,
    bytes: bytes.byteLength,
    sha256: createHash('sha256').update(bytes).digest('hex'),
  }))
  return new TextEncoder().encode(
    JSON.stringify({ name, formatVersion: 1, files: listed }, null, 2)
  )
}

/** sha256 hex of bytes. */
export function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex')
}

/** Writes a model folder: `files` plus a manifest listing `listed` (default: the same files). */
export async function writeModelFolder(
  dir: string,
  files: FolderFiles,
  listed: FolderFiles = files
): Promise<Uint8Array> {
  const manifest = manifestFor(listed)
  await mkdir(dir, { recursive: true })
  await writeFile(join(dir, 'manifest.json'), manifest)
  for (const [path, bytes] of Object.entries(files)) {
    await mkdir(dirname(join(dir, path)), { recursive: true })
    await writeFile(join(dir, path), bytes)
  }
  return manifest
}
