import sharp from 'sharp'
import { ImageError } from './image-error.ts'

/** Formats accepted for understanding. */
const FORMATS = new Set(['png', 'jpeg', 'webp'])

/** Pixels ready for the VQ encoder: float32 [3, size, size] in [−1, 1], channel-major. */
export interface ImageTensor {
  data: Float32Array
  size: number
}

/**
 * Decodes a PNG, JPEG or WebP image and prepares it as Show-o does (spec §5.4): RGB, shorter side
 * resized to `size` with a bicubic filter, centre crop to `size`×`size`, scaled to [−1, 1]. Images
 * over `maxPixels` are refused before they are decoded (decompression bombs).
 */
export async function readImage(
  bytes: Uint8Array,
  size: number,
  maxPixels: number
): Promise<ImageTensor> {
  let metadata: Awaited<ReturnType<ReturnType<typeof sharp>['metadata']>>
  try {
    metadata = await sharp(bytes, { limitInputPixels: maxPixels }).metadata()
  } catch (error) {
    throw new ImageError(`image: cannot read it (${firstLine(error)})`)
  }
  if (!FORMATS.has(metadata.format)) {
    throw new ImageError(`image: format ${metadata.format} is not supported (PNG, JPEG or WebP)`)
  }
  const pixels = metadata.width * metadata.height
  if (pixels > maxPixels) {
    throw new ImageError(
      `image: ${metadata.width}×${metadata.height} is over the limit of ${maxPixels} pixels`
    )
  }
  let raw: Buffer
  try {
    raw = await sharp(bytes, { limitInputPixels: maxPixels, failOn: 'error' })
      .rotate() // honour EXIF orientation, as a viewer would show the picture
      .removeAlpha()
      .toColourspace('srgb')
      .resize({ width: size, height: size, fit: 'cover', position: 'centre', kernel: 'cubic' })
      .raw()
      .toBuffer()
  } catch (error) {
    throw new ImageError(`image: cannot decode it (${firstLine(error)})`)
  }
  const plane = size * size
  const data = new Float32Array(3 * plane)
  for (let i = 0; i < plane; i++) {
    for (let c = 0; c < 3; c++) {
      data[c * plane + i] = ((raw[i * 3 + c] ?? 0) / 255 - 0.5) / 0.5
    }
  }
  return { data, size }
}

function firstLine(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error)
  return text.split('\n')[0] ?? text
}
