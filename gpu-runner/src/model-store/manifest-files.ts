import { createHash } from 'node:crypto'
import { describeIssues } from '@showo/contract'
import { z } from 'zod'
import { ModelVerificationError } from './model-verification-error.ts'

/** Name of the manifest inside a model folder; its own sha256 names the model. */
export const MANIFEST_FILE = 'manifest.json'

/** A path inside the model folder: relative, `/`-separated, no `.`/`..` segments. */
const FolderPath = z
  .string()
  .refine(
    (p) =>
      p.split('/').every((seg) => seg !== '' && seg !== '.' && seg !== '..' && !seg.includes('\\')),
    'must be a relative path inside the model folder'
  )
  .refine((p) => p !== MANIFEST_FILE, 'must not list the manifest itself')
  .refine((p) => !p.endsWith('.part'), 'must not end in .part (used for partial downloads)')

/** One file of the model folder as the manifest lists it. */
export const ManifestFile = z.object({
  path: FolderPath,
  bytes: z.number().int().min(0),
  sha256: z.string().regex(/^[0-9a-f]{64}$/, 'must be 64 lower-case hex digits'),
})

/** A listed file. */
export type ManifestFile = z.infer<typeof ManifestFile>

/**
 * The part of `manifest.json` the model store checks: `files`, every other file of the folder
 * with its size and sha256. The engine reads the rest of the manifest itself.
 */
const ManifestFiles = z.object({
  files: z
    .array(ManifestFile)
    .min(1)
    .refine(
      (files) => new Set(files.map((f) => f.path)).size === files.length,
      'lists a path twice'
    ),
})

/** The checked part of a manifest and the manifest's own sha256. */
export interface ManifestListing {
  sha: string
  files: ManifestFile[]
}

/** Parses the bytes of `manifest.json`; a bad manifest throws a {@link ModelVerificationError}. */
export function readManifestFiles(bytes: Uint8Array): ManifestListing {
  let json: unknown
  try {
    json = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes))
  } catch (error) {
    throw new ModelVerificationError(`${MANIFEST_FILE} is not valid JSON`, MANIFEST_FILE, {
      cause: error,
    })
  }
  const parsed = ManifestFiles.safeParse(json)
  if (!parsed.success) {
    throw new ModelVerificationError(
      `${MANIFEST_FILE} is invalid: ${describeIssues(parsed.error)}`,
      MANIFEST_FILE
    )
  }
  return { sha: createHash('sha256').update(bytes).digest('hex'), files: parsed.data.files }
}
