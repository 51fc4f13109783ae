import { createHash } from 'node:crypto'
import { createReadStream } from 'node:fs'

/** Read size for hashing multi-gigabyte weights: large reads keep the disk, not the calls, the limit. */
const CHUNK_BYTES = 4 * 1024 * 1024

/** sha256 of a file as hex, streamed so that memory stays flat whatever the file size. */
export async function sha256File(path: string, signal?: AbortSignal): Promise<string> {
  const hash = createHash('sha256')
  const stream = createReadStream(path, { highWaterMark: CHUNK_BYTES, signal })
  for await (const chunk of stream) {
    hash.update(chunk as Buffer)
  }
  return hash.digest('hex')
}
