import { z } from 'zod'
import type { ImageParams } from './cache-key.ts'

/** Generated images never change under their key, so every cache may keep them forever. */
export const IMAGE_CACHE_CONTROL = 'public, max-age=31536000, immutable'

/** Provenance of a stored image: what a client needs to reproduce it (DESIGN §4 receipt). */
export interface ImageReceipt {
  key: string
  seed: number
  /** Steps the runner ran (its x-steps), null when it did not say. */
  steps: number | null
  model: string
  createdAt: string
}

/** A generation request as stored (null = the model's default): images and jobs keep it. */
export const StoredImageParams = z.object({
  prompt: z.string(),
  seed: z.number(),
  steps: z.number().nullable(),
  guidanceScale: z.number().nullable(),
  topK: z.number().nullable(),
  resolution: z.union([z.literal(256), z.literal(512)]).nullable(),
})

/** The JSON stored next to each image: the full request, so buttons and jobs can vary it. */
export const StoredImageMeta = z.object({
  receipt: z.object({
    key: z.string(),
    seed: z.number(),
    steps: z.number().nullable(),
    model: z.string(),
    createdAt: z.string(),
  }),
  params: StoredImageParams,
})

/** Parsed metadata of a stored image. */
export type StoredImageMeta = z.infer<typeof StoredImageMeta>

/** R2 object name of an image. */
export function imageObjectKey(key: string): string {
  return `images/${key}.png`
}

function metaObjectKey(key: string): string {
  return `meta/${key}.json`
}

/** Writes the image and its metadata; the image's custom metadata repeats the receipt headers. */
export async function storeImage(
  bucket: R2Bucket,
  png: ArrayBuffer,
  receipt: ImageReceipt,
  params: ImageParams
): Promise<void> {
  const meta: StoredImageMeta = { receipt, params }
  await Promise.all([
    bucket.put(imageObjectKey(receipt.key), png, {
      httpMetadata: { contentType: 'image/png', cacheControl: IMAGE_CACHE_CONTROL },
      customMetadata: {
        seed: String(receipt.seed),
        steps: receipt.steps === null ? '' : String(receipt.steps),
        model: receipt.model,
        createdAt: receipt.createdAt,
      },
    }),
    bucket.put(metaObjectKey(receipt.key), JSON.stringify(meta), {
      httpMetadata: { contentType: 'application/json' },
    }),
  ])
}

/** Rebuilds a receipt from an R2 object's custom metadata. */
export function toReceipt(key: string, object: R2Object): ImageReceipt {
  const m = object.customMetadata ?? {}
  return {
    key,
    seed: Number(m.seed),
    steps: m.steps ? Number(m.steps) : null,
    model: m.model ?? '',
    createdAt: m.createdAt ?? object.uploaded.toISOString(),
  }
}

/** Reads the stored request behind an image; null when the image is unknown. */
export async function readImageMeta(
  bucket: R2Bucket,
  key: string
): Promise<StoredImageMeta | null> {
  const object = await bucket.get(metaObjectKey(key))
  if (!object) {
    return null
  }
  const parsed = StoredImageMeta.safeParse(await object.json())
  return parsed.success ? parsed.data : null
}
