import type { S3Client } from '@aws-sdk/client-s3'
import type { Logger } from '../logging/logger.ts'
import { downloadS3Model } from './download-s3-model.ts'
import type { ModelSource } from './model-source.ts'
import { verifyModelDir } from './verify-model-dir.ts'

/** A checked model folder on this machine. */
export interface LocalModel {
  dir: string
  /** sha256 of its manifest.json. */
  manifestSha: string
}

/** What {@link ensureModel} needs besides the source. */
export interface EnsureModelDeps {
  cacheDir: string
  /** Made only for S3 sources, so local folders need no AWS settings. */
  createS3Client: () => S3Client
  logger: Logger
  signal?: AbortSignal
}

/**
 * Makes the model folder available locally and checked against its manifest: a local folder is
 * verified in place (never modified), an S3 prefix is downloaded into the cache first.
 */
export async function ensureModel(source: ModelSource, deps: EnsureModelDeps): Promise<LocalModel> {
  const { logger, signal } = deps
  if (source.kind === 'local') {
    logger.info('verifying model folder', { dir: source.dir })
    const listing = await verifyModelDir(source.dir, signal)
    return { dir: source.dir, manifestSha: listing.sha }
  }
  const uri = `s3://${source.bucket}/${source.prefix}`
  logger.info('fetching model', { uri, cacheDir: deps.cacheDir })
  let lastFile = ''
  const report = await downloadS3Model({
    client: deps.createS3Client(),
    bucket: source.bucket,
    prefix: source.prefix,
    cacheDir: deps.cacheDir,
    signal,
    onProgress: ({ path, bytes, total }) => {
      if (path !== lastFile) {
        lastFile = path
        logger.info('downloading model file', { path, bytes: total, alreadyOnDisk: bytes })
      }
    },
  })
  logger.info('model fetched and verified', {
    uri,
    dir: report.dir,
    downloadedBytes: report.downloadedBytes,
    resumedFiles: report.resumedFiles.join(',') || undefined,
    cachedFiles: report.cachedFiles.length,
  })
  return { dir: report.dir, manifestSha: report.manifestSha }
}
