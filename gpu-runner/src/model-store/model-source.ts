import { isAbsolute, resolve } from 'node:path'

/** Where the model folder comes from: a folder on this machine or a prefix in an S3 bucket. */
export type ModelSource =
  { kind: 'local'; dir: string } | { kind: 's3'; bucket: string; prefix: string }

/** S3 bucket naming rules (lower-case letters, digits, dots and hyphens; 3-63 characters). */
const BUCKET = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/

/**
 * Parses `RUNNER_MODEL_URI`: `s3://bucket/prefix` or a local folder (relative paths resolve
 * against the working directory). Throws a message without the variable name; the caller adds it.
 */
export function parseModelSource(uri: string): ModelSource {
  const s3 = /^s3:\/\/([^/]+)\/?(.*)$/.exec(uri)
  if (s3) {
    const bucket = s3[1] ?? ''
    if (!BUCKET.test(bucket)) {
      throw new Error(`'${bucket}' is not a valid S3 bucket name`)
    }
    return { kind: 's3', bucket, prefix: (s3[2] ?? '').replace(/\/+$/, '') }
  }
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(uri)) {
    throw new Error('must be a local folder or s3://bucket/prefix')
  }
  return { kind: 'local', dir: isAbsolute(uri) ? uri : resolve(uri) }
}

/** The source as a string for logs. */
export function describeModelSource(source: ModelSource): string {
  return source.kind === 'local' ? source.dir : `s3://${source.bucket}/${source.prefix}`
}
