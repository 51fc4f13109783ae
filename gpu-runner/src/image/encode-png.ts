import sharp from 'sharp'

/**
 * Turns decoder output (float32 [3, height, width], nominally [−1, 1]) into PNG bytes the way the
 * reference saves images (spec §5.4): `clamp((x + 1) / 2, 0, 1) · 255`, truncated to uint8.
 * Same pixels, same bytes: no metadata or timestamps are written.
 */
export async function encodePng(
  pixels: Float32Array,
  width: number,
  height: number
): Promise<Uint8Array> {
  const plane = width * height
  const rgb = Buffer.alloc(3 * plane)
  for (let i = 0; i < plane; i++) {
    for (let c = 0; c < 3; c++) {
      const x = Math.fround((Math.fround(pixels[c * plane + i] ?? 0) + 1) / 2)
      rgb[i * 3 + c] = Math.trunc(Math.fround(Math.min(1, Math.max(0, x)) * 255))
    }
  }
  const png = await sharp(rgb, { raw: { width, height, channels: 3 } })
    .png({ compressionLevel: 6, adaptiveFiltering: false, palette: false })
    .toBuffer()
  return new Uint8Array(png.buffer, png.byteOffset, png.byteLength)
}
