import sharp from 'sharp'

/** A decoded image's facts. */
export interface DecodedPng {
  format: string
  width: number
  height: number
  channels: number
  /** Raw pixel bytes (width × height × channels). */
  pixels: Buffer
}

/**
 * Decodes bytes with sharp (libvips, the runner's own image library; hoisted from gpu-runner).
 * Throws on anything that is not a readable image, so "valid PNG" means really decodable.
 */
export async function decodePng(bytes: Uint8Array): Promise<DecodedPng> {
  const image = sharp(bytes, { failOn: 'error' })
  const meta = await image.metadata()
  const { data, info } = await image.raw().toBuffer({ resolveWithObject: true })
  return {
    format: meta.format,
    width: info.width,
    height: info.height,
    channels: info.channels,
    pixels: data,
  }
}

/** The 8-byte PNG signature. */
export const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])
