import { mkdtempSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { toHalfArray } from '../onnx/float16.ts'
import { Checkpoint } from './checkpoint.ts'
import { writeSafetensors } from './write-safetensors.ts'

let dir: string
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'showo-ckpt-'))
})
afterEach(() => {
  rmSync(dir, { recursive: true, force: true })
})

const ramp = (name: string, shape: number[]): Parameters<typeof writeSafetensors>[1][number] => {
  const rowSize = shape.slice(1).reduce((a, b) => a * b, 1)
  return {
    name,
    shape,
    fill: (start, out) => {
      out.forEach((_, k) => (out[k] = (start * rowSize + k) / 4))
    },
  }
}

/** Writes a safetensors file from a raw header object and data bytes. */
function writeRaw(path: string, header: unknown, data: Uint8Array): void {
  const json = Buffer.from(JSON.stringify(header))
  const prefix = Buffer.alloc(8)
  prefix.writeBigUInt64LE(BigInt(json.length))
  writeFileSync(path, Buffer.concat([prefix, json, data]))
}

describe('Checkpoint', () => {
  it('reads tensors whole and by rows from a single file', () => {
    const path = join(dir, 'model.safetensors')
    writeSafetensors(path, [ramp('a', [3, 4]), ramp('b', [5])])
    const ckpt = Checkpoint.open(dir)
    expect(ckpt.names().sort()).toEqual(['a', 'b'])
    expect(ckpt.shape('a')).toEqual([3, 4])
    expect(Array.from(ckpt.read('b'))).toEqual([0, 0.25, 0.5, 0.75, 1])
    expect(Array.from(ckpt.readRows('a', 1, 2))).toEqual([1, 1.25, 1.5, 1.75, 2, 2.25, 2.5, 2.75])
    ckpt.close()
  })

  it('decodes F16 and BF16 to float32', () => {
    const f16 = new Uint8Array(toHalfArray(new Float32Array([1.5, -2])).buffer)
    const bf16 = new Uint8Array(new Uint16Array([0x3fc0, 0xc000]).buffer)
    writeRaw(
      join(dir, 'x.safetensors'),
      {
        h: { dtype: 'F16', shape: [2], data_offsets: [0, 4] },
        b: { dtype: 'BF16', shape: [2], data_offsets: [4, 8] },
      },
      new Uint8Array([...f16, ...bf16])
    )
    const ckpt = Checkpoint.open(join(dir, 'x.safetensors'))
    expect(Array.from(ckpt.read('h'))).toEqual([1.5, -2])
    expect(Array.from(ckpt.read('b'))).toEqual([1.5, -2])
    ckpt.close()
  })

  it('reads integer buffers such as MAGVIT-v2 power_vals (int64)', () => {
    writeRaw(
      join(dir, 'q.safetensors'),
      { p: { dtype: 'I64', shape: [3], data_offsets: [0, 24] } },
      new Uint8Array(new BigInt64Array([4n, 2n, 1n]).buffer)
    )
    const ckpt = Checkpoint.open(join(dir, 'q.safetensors'))
    expect(Array.from(ckpt.read('p'))).toEqual([4, 2, 1])
    ckpt.close()
  })

  it('follows a sharded index', () => {
    writeSafetensors(join(dir, 'model-00001-of-00002.safetensors'), [ramp('a', [2, 2])])
    writeSafetensors(join(dir, 'model-00002-of-00002.safetensors'), [ramp('b', [3])])
    writeFileSync(
      join(dir, 'model.safetensors.index.json'),
      JSON.stringify({
        weight_map: {
          a: 'model-00001-of-00002.safetensors',
          b: 'model-00002-of-00002.safetensors',
        },
      })
    )
    const ckpt = Checkpoint.open(dir)
    expect(ckpt.names().sort()).toEqual(['a', 'b'])
    expect(Array.from(ckpt.read('b'))).toEqual([0, 0.25, 0.5])
    ckpt.close()
  })

  it('refuses a truncated file, naming the tensor cut short', () => {
    const path = join(dir, 'model.safetensors')
    writeSafetensors(path, [ramp('a', [4, 4]), ramp('last', [64])])
    truncateSync(path, readFileSync(path).length - 10)
    expect(() => Checkpoint.open(path)).toThrow(/truncated \(tensor 'last' ends at byte/)
  })

  it('refuses a file that is not safetensors', () => {
    const path = join(dir, 'pytorch_model.safetensors')
    writeFileSync(path, Buffer.from('PK\u0003\u0004 this is a zip archive, not safetensors'))
    expect(() => Checkpoint.open(path)).toThrow(/not a safetensors file/)
  })

  it.each([
    [
      { a: { dtype: 'F32', shape: [2], data_offsets: [0, 4] } },
      /bad header for tensor 'a' \(4 bytes for shape \[2\] of F32\)/,
    ],
    [
      { a: { dtype: 'F32', shape: 'x', data_offsets: [0, 4] } },
      /bad header for tensor 'a' \(shape/,
    ],
    [
      { a: { dtype: 'F8_E4M3', shape: [1], data_offsets: [0, 1] } },
      /tensor 'a' has dtype F8_E4M3, which is not supported/,
    ],
    [
      {
        a: { dtype: 'F32', shape: [2], data_offsets: [0, 8] },
        b: { dtype: 'F32', shape: [2], data_offsets: [4, 12] },
      },
      /tensors 'a' and 'b' overlap/,
    ],
  ])('refuses a bad header %#', (header, message) => {
    const path = join(dir, 'bad.safetensors')
    writeRaw(path, header, new Uint8Array(16))
    expect(() => Checkpoint.open(path)).toThrow(message)
  })

  it('refuses a header that is not JSON', () => {
    const path = join(dir, 'bad.safetensors')
    const prefix = Buffer.alloc(8)
    prefix.writeBigUInt64LE(5n)
    writeFileSync(path, Buffer.concat([prefix, Buffer.from('{nope')]))
    expect(() => Checkpoint.open(path)).toThrow(/bad header/)
  })

  it('says what to do with a folder of pickle weights', () => {
    writeFileSync(join(dir, 'pytorch_model.bin'), 'x')
    expect(() => Checkpoint.open(dir)).toThrow(/only PyTorch pickle weights found/)
  })
})
