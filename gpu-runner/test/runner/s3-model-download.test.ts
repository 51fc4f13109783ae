import { mkdtemp, readFile, rm, stat, writeFile, mkdir } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { CreateBucketCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3'
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { readConfig } from '../../src/config.ts'
import { startRunner } from '../../src/main.ts'
import { downloadS3Model } from '../../src/model-store/download-s3-model.ts'
import { ModelVerificationError } from '../../src/model-store/model-verification-error.ts'
import { verifyModelDir } from '../../src/model-store/verify-model-dir.ts'
import { createFakeEngineFactory } from './support/fake-engine.ts'
import { manifestFor, sampleModelFiles, sha256, type FolderFiles } from './support/model-folder.ts'
import { startMotoServer, type MotoServer } from './support/moto-server.ts'
import { TEST_SECRET } from './support/signed-request.ts'

const BIG = 'transformer.onnx.data'
/**
 * Large enough that the body arrives in many chunks, so a download can be cut in the middle.
 * (Contents are compared by hash: deep-equality over megabytes is slow.)
 */
const BIG_BYTES = 8 * 1024 * 1024

let moto: MotoServer
let client: S3Client
let cacheDir: string
let bucketCount = 0

beforeAll(async () => {
  moto = await startMotoServer()
  client = new S3Client({
    endpoint: moto.endpoint,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
  })
})

afterAll(async () => {
  client.destroy()
  await moto.stop()
})

beforeEach(async () => {
  cacheDir = await mkdtemp(join(tmpdir(), 'showo-cache-'))
})

afterEach(async () => {
  await rm(cacheDir, { recursive: true, force: true })
})

/** A fresh bucket holding `files` under `prefix`, with a manifest listing `listed`. */
async function upload(files: FolderFiles, listed: FolderFiles = files, prefix = 'models/tiny') {
  const bucket = `models-${++bucketCount}`
  await client.send(new CreateBucketCommand({ Bucket: bucket }))
  const manifest = manifestFor(listed)
  const put = (key: string, body: Uint8Array) =>
    client.send(new PutObjectCommand({ Bucket: bucket, Key: `${prefix}/${key}`, Body: body }))
  await put('manifest.json', manifest)
  for (const [path, bytes] of Object.entries(files)) {
    await put(path, bytes)
  }
  return { bucket, prefix, sha: sha256(manifest) }
}

const totalBytes = (files: FolderFiles) =>
  Object.values(files).reduce((sum, bytes) => sum + bytes.byteLength, 0)

describe('model download from an S3-compatible server (moto on loopback)', () => {
  it('fetches the folder into <cache>/<manifest sha>, checks it, and reuses it next time', async () => {
    const files = sampleModelFiles(BIG_BYTES)
    const { bucket, prefix, sha } = await upload(files)
    const first = await downloadS3Model({ client, bucket, prefix, cacheDir })
    expect(first).toMatchObject({ dir: join(cacheDir, sha), manifestSha: sha, resumedFiles: [] })
    expect(first.downloadedBytes).toBe(totalBytes(files))
    for (const [path, bytes] of Object.entries(files)) {
      expect(sha256(await readFile(join(first.dir, path)))).toBe(sha256(bytes))
    }
    expect((await verifyModelDir(first.dir)).sha).toBe(sha)

    const second = await downloadS3Model({ client, bucket, prefix, cacheDir })
    expect(second.downloadedBytes).toBe(0)
    expect(second.cachedFiles.sort()).toEqual(Object.keys(files).sort())
  })

  it('refuses a file whose bytes do not match the manifest, naming it, and deletes it', async () => {
    const files = sampleModelFiles()
    const corrupted = new Uint8Array(files[BIG] ?? [])
    corrupted[1234] = (corrupted[1234] ?? 0) ^ 0x01
    const { bucket, prefix, sha } = await upload({ ...files, [BIG]: corrupted }, files)
    const error: unknown = await downloadS3Model({ client, bucket, prefix, cacheDir }).catch(
      (e: unknown) => e
    )
    expect(error).toBeInstanceOf(ModelVerificationError)
    expect((error as ModelVerificationError).file).toBe(BIG)
    expect((error as Error).message).toContain(`model file ${BIG} has sha256`)
    await expect(stat(join(cacheDir, sha, BIG))).rejects.toThrow()
  })

  it('refuses an object whose size differs from the manifest before downloading it', async () => {
    const files = sampleModelFiles()
    const { bucket, prefix } = await upload({ ...files, [BIG]: new Uint8Array(10) }, files)
    await expect(downloadS3Model({ client, bucket, prefix, cacheDir })).rejects.toThrow(
      `s3://${bucket}/${prefix}/${BIG} has 10 bytes, the manifest says ${files[BIG]?.byteLength}`
    )
  })

  it('names the object when the manifest is missing', async () => {
    const { bucket } = await upload(sampleModelFiles())
    await expect(
      downloadS3Model({ client, bucket, prefix: 'models/none', cacheDir })
    ).rejects.toThrow(`cannot read s3://${bucket}/models/none/manifest.json`)
  })

  it('resumes an interrupted download with a Range request and checks the result', async () => {
    const files = sampleModelFiles(BIG_BYTES)
    const { bucket, prefix, sha } = await upload(files)
    const cut = new AbortController()
    const interrupted = downloadS3Model({
      client,
      bucket,
      prefix,
      cacheDir,
      signal: cut.signal,
      onProgress: ({ path, bytes }) => {
        if (path === BIG && bytes >= 1024 * 1024) {
          cut.abort(new Error('connection lost'))
        }
      },
    })
    await expect(interrupted).rejects.toThrow()
    const partial = (await stat(join(cacheDir, sha, `${BIG}.part`))).size
    expect(partial).toBeGreaterThan(0)
    expect(partial).toBeLessThan(BIG_BYTES)

    const resumed = await downloadS3Model({ client, bucket, prefix, cacheDir })
    expect(resumed.resumedFiles).toEqual([BIG])
    const before = Object.keys(files).indexOf(BIG)
    const notYetFetched = Object.entries(files)
      .slice(before + 1)
      .reduce((sum, [, bytes]) => sum + bytes.byteLength, 0)
    expect(resumed.downloadedBytes).toBe(BIG_BYTES - partial + notYetFetched)
    expect(sha256(await readFile(join(resumed.dir, BIG)))).toBe(
      sha256(files[BIG] ?? new Uint8Array())
    )
    await expect(stat(join(cacheDir, sha, `${BIG}.part`))).rejects.toThrow()
  })

  it('refuses a resumed file whose partial bytes were corrupt, then fetches it whole', async () => {
    const files = sampleModelFiles(BIG_BYTES)
    const { bucket, prefix, sha } = await upload(files)
    await mkdir(join(cacheDir, sha), { recursive: true })
    await writeFile(join(cacheDir, sha, `${BIG}.part`), new Uint8Array(4096).fill(0xee))
    await expect(downloadS3Model({ client, bucket, prefix, cacheDir })).rejects.toThrow(
      `model file ${BIG} has sha256`
    )
    const retry = await downloadS3Model({ client, bucket, prefix, cacheDir })
    expect(retry.resumedFiles).toEqual([])
    expect(sha256(await readFile(join(retry.dir, BIG)))).toBe(
      sha256(files[BIG] ?? new Uint8Array())
    )
  })

  it('keeps a runner whose S3 model fails the check from ever becoming ready', async () => {
    const files = sampleModelFiles()
    const corrupted = new Uint8Array(files[BIG] ?? [])
    corrupted[0] = (corrupted[0] ?? 0) ^ 0xff
    const { bucket, prefix } = await upload({ ...files, [BIG]: corrupted }, files)
    const config = readConfig({
      RUNNER_SECRET: TEST_SECRET,
      RUNNER_HOST: '127.0.0.1',
      RUNNER_PORT: '0',
      RUNNER_MODEL_URI: `s3://${bucket}/${prefix}`,
      RUNNER_CACHE_DIR: cacheDir,
      RUNNER_S3_ENDPOINT: moto.endpoint,
    })
    let engines = 0
    const runner = await startRunner(config, {
      createEngine: (options) => {
        engines += 1
        return createFakeEngineFactory()(options)
      },
      createS3Client: () => client,
      write: () => undefined,
      processMetrics: false,
    })
    await expect(runner.ready).rejects.toThrow(`model file ${BIG} has sha256`)
    const readyz = await fetch(`${runner.url}/readyz`)
    expect(readyz.status).toBe(503)
    expect(await readyz.json()).toEqual({ ready: false, model: null, draining: false })
    expect(engines).toBe(0)
    await runner.shutdown('test over')
  })
})
