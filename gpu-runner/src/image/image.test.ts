import sharp from 'sharp'
import { describe, expect, it } from 'vitest'
import { encodePng } from './encode-png.ts'
import { readImage } from './read-image.ts'

async function solid(
  width: number,
  height: number,
  rgb: [number, number, number],
  format: 'png' | 'jpeg' | 'webp' | 'gif'
): Promise<Uint8Array> {
  const img = sharp({
    create: { width, height, channels: 3, background: { r: rgb[0], g: rgb[1], b: rgb[2] } },
  })
  return new Uint8Array(
    await img
      .toFormat(format, format === 'webp' || format === 'png' ? { lossless: true } : {})
      .toBuffer()
  )
}

describe('readImage', () => {
  it('resizes, centre-crops and scales to [-1, 1] channel-major', async () => {
    // left half black, right half white, 200×100: the centre crop of the resized 64×32 → 32×32 keeps both halves
    const raw = Buffer.alloc(200 * 100 * 3)
    for (let y = 0; y < 100; y++) {
      for (let x = 100; x < 200; x++) {
        raw.fill(255, (y * 200 + x) * 3, (y * 200 + x) * 3 + 3)
      }
    }
    const png = new Uint8Array(
      await sharp(raw, { raw: { width: 200, height: 100, channels: 3 } })
        .png()
        .toBuffer()
    )
    const { data, size } = await readImage(png, 32, 1_000_000)
    expect(size).toBe(32)
    expect(data).toHaveLength(3 * 32 * 32)
    expect(data[0]).toBeCloseTo(-1, 2) // top-left: black
    expect(data[31]).toBeCloseTo(1, 2) // top-right: white
    expect(data[2 * 1024 + 31]).toBeCloseTo(1, 2) // blue plane too
  })

  it.each(['png', 'jpeg', 'webp'] as const)('accepts %s', async (format) => {
    const { data } = await readImage(await solid(40, 40, [255, 0, 0], format), 16, 1_000_000)
    expect(data[0]).toBeCloseTo(1, 1)
    expect(data[256]).toBeCloseTo(-1, 1)
  })

  it('refuses other formats, corrupt data and images over the pixel limit', async () => {
    await expect(readImage(await solid(8, 8, [0, 0, 0], 'gif'), 16, 1_000)).rejects.toThrow(
      /format gif is not supported/
    )
    await expect(readImage(new Uint8Array([1, 2, 3, 4]), 16, 1_000)).rejects.toThrow(
      /cannot read it/
    )
    await expect(
      readImage(await solid(2000, 2000, [0, 0, 0], 'png'), 16, 1_000_000)
    ).rejects.toThrow(/limit|pixels/)
  })
})

describe('encodePng', () => {
  it('maps [-1, 1] to 0..255 with truncation and clamping', async () => {
    const pixels = new Float32Array([-1, 0, 1, 2, /* g */ -2, 0.5, -0.5, 0.999, /* b */ 0, 0, 0, 0])
    const png = await encodePng(pixels, 2, 2)
    const { data, info } = await sharp(png).raw().toBuffer({ resolveWithObject: true })
    expect(info).toMatchObject({ width: 2, height: 2, channels: 3 })
    expect(Array.from(data)).toEqual([0, 0, 127, 127, 191, 127, 255, 63, 127, 255, 254, 127])
  })

  it('gives the same bytes for the same pixels', async () => {
    const pixels = Float32Array.from({ length: 3 * 16 * 16 }, (_, i) => Math.sin(i))
    expect(await encodePng(pixels, 16, 16)).toEqual(await encodePng(pixels, 16, 16))
  })
})
