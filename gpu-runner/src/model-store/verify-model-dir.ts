import { readFile, stat } from 'node:fs/promises'
import { join } from 'node:path'
import { sha256File } from './hash-file.ts'
import { MANIFEST_FILE, readManifestFiles, type ManifestListing } from './manifest-files.ts'
import { ModelVerificationError } from './model-verification-error.ts'

/**
 * Checks a model folder against its manifest: every listed file exists with the listed size
 * and sha256. Throws a {@link ModelVerificationError} naming the first file that fails.
 */
export async function verifyModelDir(dir: string, signal?: AbortSignal): Promise<ManifestListing> {
  let manifestBytes: Buffer
  try {
    manifestBytes = await readFile(join(dir, MANIFEST_FILE))
  } catch (error) {
    throw new ModelVerificationError(`${join(dir, MANIFEST_FILE)} cannot be read`, MANIFEST_FILE, {
      cause: error,
    })
  }
  const listing = readManifestFiles(manifestBytes)
  for (const file of listing.files) {
    const path = join(dir, file.path)
    const size = await stat(path).then(
      (s) => s.size,
      () => undefined
    )
    if (size === undefined) {
      throw new ModelVerificationError(`model file ${file.path} is missing from ${dir}`, file.path)
    }
    if (size !== file.bytes) {
      throw new ModelVerificationError(
        `model file ${file.path} has ${size} bytes, the manifest says ${file.bytes}`,
        file.path
      )
    }
    const sha = await sha256File(path, signal)
    if (sha !== file.sha256) {
      throw new ModelVerificationError(
        `model file ${file.path} has sha256 ${sha}, the manifest says ${file.sha256}`,
        file.path
      )
    }
  }
  return listing
}
