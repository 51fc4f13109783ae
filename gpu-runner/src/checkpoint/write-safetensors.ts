import { closeSync, openSync, renameSync, writeSync } from 'node:fs'
import { toHalfArray } from '../onnx/float16.ts'

/** A tensor to write: its shape and a function that fills a block of rows. */
export interface TensorSource {
  name: string
  shape: readonly number[]
  /** Fills `out` with rows [start, start + out.length / rowSize). */
  fill: (start: number, out: Float32Array) => void
}

/** Rows written per block, so a 480 MB embedding never sits in memory whole. */
const BLOCK_ELEMENTS = 1 << 22

/**
 * Writes a safetensors file (F32 or F16) block by block. Used by the tiny-model maker and tests;
 * the file appears under its name only once complete.
 */
export function writeSafetensors(
  path: string,
  tensors: readonly TensorSource[],
  dtype: 'F32' | 'F16' = 'F32'
): void {
  const size = dtype === 'F32' ? 4 : 2
  const header: Record<string, unknown> = { __metadata__: { format: 'pt' } }
  let offset = 0
  for (const t of tensors) {
    const bytes = t.shape.reduce((a, b) => a * b, 1) * size
    header[t.name] = { dtype, shape: t.shape, data_offsets: [offset, offset + bytes] }
    offset += bytes
  }
  let json = JSON.stringify(header)
  json += ' '.repeat((8 - (json.length % 8)) % 8) // keep the data 8-byte aligned, as the reference does
  const headerBytes = Buffer.from(json, 'utf8')
  const partial = `${path}.partial`
  const fd = openSync(partial, 'w')
  try {
    const prefix = Buffer.alloc(8)
    prefix.writeBigUInt64LE(BigInt(headerBytes.length))
    writeAll(fd, prefix)
    writeAll(fd, headerBytes)
    for (const t of tensors) {
      const rows = t.shape.length === 0 ? 1 : (t.shape[0] ?? 1)
      const rowSize = t.shape.slice(1).reduce((a, b) => a * b, 1)
      const rowsPerBlock = Math.max(1, Math.floor(BLOCK_ELEMENTS / Math.max(1, rowSize)))
      for (let start = 0; start < rows; start += rowsPerBlock) {
        const count = Math.min(rowsPerBlock, rows - start)
        const block = new Float32Array(count * rowSize)
        t.fill(start, block)
        writeAll(fd, dtype === 'F32' ? block : toHalfArray(block))
      }
    }
  } finally {
    closeSync(fd)
  }
  renameSync(partial, path)
}

function writeAll(fd: number, data: ArrayBufferView): void {
  const view = new Uint8Array(data.buffer, data.byteOffset, data.byteLength)
  let done = 0
  while (done < view.length) {
    done += writeSync(fd, view, done, view.length - done)
  }
}
