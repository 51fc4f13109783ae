import { createWriteStream } from 'node:fs'
import { mkdir, rename, rm, stat, writeFile } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import { Readable, Transform } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3'
import { MANIFEST_FILE, readManifestFiles, type ManifestFile } from './manifest-files.ts'
import { ModelVerificationError } from './model-verification-error.ts'
import { verifyModelDir } from './verify-model-dir.ts'

/** A manifest is a few kilobytes; anything far larger is not one. */
const MANIFEST_MAX_BYTES = 16 * 1024 * 1024

/** Progress of one file, reported as its bytes reach the disk. */
export interface DownloadProgress {
  path: string
  /** Bytes of this file on disk so far (a resumed file starts at its partial size). */
  bytes: number
  total: number
}

/** Settings of {@link downloadS3Model}. */
export interface S3ModelDownload {
  client: S3Client
  bucket: string
  /** Key prefix of the model folder, without a trailing slash ('' for the bucket root). */
  prefix: string
  /** Local cache; the model lands in `<cacheDir>/<manifest sha256>/`. */
  cacheDir: string
  signal?: AbortSignal
  onProgress?: (progress: DownloadProgress) => void
}

/** What a download did, for logs and tests. */
export interface S3ModelDownloadReport {
  dir: string
  manifestSha: string
  /** Bytes fetched from S3 by this call (not counting the manifest). */
  downloadedBytes: number
  /** Files continued from a partial download with a Range request. */
  resumedFiles: string[]
  /** Files already complete in the cache. */
  cachedFiles: string[]
}

/**
 * Fetches a model folder from S3 into the cache and checks it. Files stream to `<name>.part`
 * and are renamed once complete, so an interrupted download is continued with a Range request
 * on the next call. Every file is then checked against the manifest's size and sha256; a file
 * that fails is deleted (the next call fetches it again) and the download is refused with a
 * {@link ModelVerificationError} naming it.
 */
export async function downloadS3Model(options: S3ModelDownload): Promise<S3ModelDownloadReport> {
  const manifestBytes = await getManifest(options)
  const listing = readManifestFiles(manifestBytes)
  const dir = join(options.cacheDir, listing.sha)
  await mkdir(dir, { recursive: true })
  await writeFile(join(dir, MANIFEST_FILE), manifestBytes)
  const report: S3ModelDownloadReport = {
    dir,
    manifestSha: listing.sha,
    downloadedBytes: 0,
    resumedFiles: [],
    cachedFiles: [],
  }
  for (const file of listing.files) {
    await fetchFile(options, dir, file, report)
  }
  try {
    await verifyModelDir(dir, options.signal)
  } catch (error) {
    if (error instanceof ModelVerificationError && error.file !== undefined) {
      await rm(join(dir, error.file), { force: true })
    }
    throw error
  }
  return report
}

function keyOf(prefix: string, path: string): string {
  return prefix === '' ? path : `${prefix}/${path}`
}

async function getManifest(options: S3ModelDownload): Promise<Uint8Array> {
  const key = keyOf(options.prefix, MANIFEST_FILE)
  const out = await getObject(options, key)
  if (!out.Body || (out.ContentLength ?? 0) > MANIFEST_MAX_BYTES) {
    throw new ModelVerificationError(
      `s3://${options.bucket}/${key} is empty or too large for a manifest`,
      MANIFEST_FILE
    )
  }
  return out.Body.transformToByteArray()
}

/** GetObject whose errors name the object (the SDK's say only "NoSuchKey" or "Access Denied"). */
async function getObject(options: S3ModelDownload, key: string, range?: string) {
  try {
    return await options.client.send(
      new GetObjectCommand({ Bucket: options.bucket, Key: key, Range: range }),
      { abortSignal: options.signal }
    )
  } catch (error) {
    if (options.signal?.aborted) {
      throw error
    }
    const why = error instanceof Error ? `${error.name}: ${error.message}` : String(error)
    throw new Error(`cannot read s3://${options.bucket}/${key} (${why})`, { cause: error })
  }
}

async function sizeOf(path: string): Promise<number | undefined> {
  return stat(path).then(
    (s) => s.size,
    () => undefined
  )
}

async function fetchFile(
  options: S3ModelDownload,
  dir: string,
  file: ManifestFile,
  report: S3ModelDownloadReport
): Promise<void> {
  const final = join(dir, file.path)
  const part = `${final}.part`
  const finalSize = await sizeOf(final)
  if (finalSize === file.bytes) {
    report.cachedFiles.push(file.path)
    return
  }
  if (finalSize !== undefined) {
    await rm(final)
  }
  await mkdir(dirname(final), { recursive: true })
  let offset = (await sizeOf(part)) ?? 0
  if (offset > file.bytes) {
    await rm(part)
    offset = 0
  }
  if (offset < file.bytes) {
    if (offset > 0) {
      report.resumedFiles.push(file.path)
    }
    report.downloadedBytes += await streamObject(options, file, part, offset)
  }
  await rename(part, final)
}

/** Streams the object (from `offset` on) to the end of `part`; returns the bytes written. */
async function streamObject(
  options: S3ModelDownload,
  file: ManifestFile,
  part: string,
  offset: number
): Promise<number> {
  const key = keyOf(options.prefix, file.path)
  const out = await getObject(options, key, offset > 0 ? `bytes=${offset}-` : undefined)
  // A server that ignores Range answers the whole object: start the part file over.
  const ranged = offset > 0 && (out.ContentRange ?? '').startsWith(`bytes ${offset}-`)
  const start = ranged ? offset : 0
  const objectSize = ranged ? Number(out.ContentRange?.split('/')[1]) : out.ContentLength
  if (objectSize !== file.bytes) {
    throw new ModelVerificationError(
      `s3://${options.bucket}/${key} has ${objectSize} bytes, the manifest says ${file.bytes}`,
      file.path
    )
  }
  if (!(out.Body instanceof Readable)) {
    throw new Error(`s3://${options.bucket}/${key}: expected a Node stream body`)
  }
  let written = start
  const count = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      written += chunk.length
      options.onProgress?.({ path: file.path, bytes: written, total: file.bytes })
      done(null, chunk)
    },
  })
  await pipeline(out.Body, count, createWriteStream(part, { flags: ranged ? 'a' : 'w' }), {
    signal: options.signal,
  })
  return written - start
}
