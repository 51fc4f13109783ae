import type { Checkpoint } from '../checkpoint/checkpoint.ts'
import type { ExternalDataWriter } from '../onnx/external-data-writer.ts'
import { toHalfArray } from '../onnx/float16.ts'
import type { ExternalTensor } from '../onnx/graph-builder.ts'

/** Source rows read per block when copying or transposing a large tensor (~32 MB of float32). */
const BLOCK_ELEMENTS = 1 << 23

/** Called after each block with the number of source elements written so far. */
export type ProgressSink = (elements: number) => void

/**
 * Writes checkpoint tensors into an external data file in the model's float type, reshaping them for
 * ONNX (Linear weights are stored [out, in] by PyTorch and multiplied as [in, out] by MatMul). Large
 * tensors go through in row blocks, so memory stays near one block whatever the tensor's size.
 */
export class WeightWriter {
  constructor(
    private readonly out: ExternalDataWriter,
    readonly type: 'float32' | 'float16',
    private readonly progress: ProgressSink = () => undefined
  ) {}

  /** Writes computed values (rotary tables, constants) as a tensor of the model's float type. */
  values(values: Float32Array, dims: readonly number[]): ExternalTensor {
    return this.out.append(this.type, dims, this.encode(values))
  }

  /** Copies a tensor as is (embedding, norms, biases), optionally only some of its rows. */
  copy(ckpt: Checkpoint, name: string, rowStart = 0, rowCount?: number): ExternalTensor {
    const shape = ckpt.shape(name)
    const rows = rowCount ?? (shape[0] ?? 1) - rowStart
    const rowSize = shape.slice(1).reduce((a, b) => a * b, 1)
    const tensor = this.out.reserve(this.type, shape.length === 0 ? [] : [rows, ...shape.slice(1)])
    const bytes = this.type === 'float16' ? 2 : 4
    const perBlock = Math.max(1, Math.floor(BLOCK_ELEMENTS / rowSize))
    for (let r = 0; r < rows; r += perBlock) {
      const count = Math.min(perBlock, rows - r)
      const block = ckpt.readRows(name, rowStart + r, count)
      this.out.writeAt(tensor, r * rowSize * bytes, this.encode(block))
      this.progress(block.length)
    }
    return tensor
  }

  /**
   * Writes the transpose of a 2-D tensor's rows [rowStart, rowStart + rowCount): source [rows, cols]
   * becomes [cols, rows]. Each block of source rows lands as one strip per output row.
   */
  transposed(ckpt: Checkpoint, name: string, rowStart = 0, rowCount?: number): ExternalTensor {
    const [allRows = 0, cols = 0] = ckpt.shape(name)
    const rows = rowCount ?? allRows - rowStart
    const tensor = this.out.reserve(this.type, [cols, rows])
    const bytes = this.type === 'float16' ? 2 : 4
    const perBlock = Math.max(1, Math.min(rows, Math.floor(BLOCK_ELEMENTS / cols)))
    for (let r = 0; r < rows; r += perBlock) {
      const count = Math.min(perBlock, rows - r)
      const block = ckpt.readRows(name, rowStart + r, count)
      const t = transpose(block, count, cols)
      if (count === rows) {
        this.out.writeAt(tensor, 0, this.encode(t))
      } else {
        const encoded = this.encode(t)
        for (let c = 0; c < cols; c++) {
          this.out.writeAt(
            tensor,
            (c * rows + r) * bytes,
            encoded.subarray(c * count, (c + 1) * count)
          )
        }
      }
      this.progress(block.length)
    }
    return tensor
  }

  /**
   * Writes several [out_i, in] Linear weights as one [in, Σ out_i] matrix, so q, k and v become one
   * MatMul.
   */
  concatTransposed(ckpt: Checkpoint, names: readonly string[]): ExternalTensor {
    const parts = names.map((n) => ({ shape: ckpt.shape(n), data: ckpt.read(n) }))
    const inDim = parts[0]?.shape[1] ?? 0
    const outDims = parts.map((p) => p.shape[0] ?? 0)
    const total = outDims.reduce((a, b) => a + b, 0)
    const result = new Float32Array(inDim * total)
    let colOffset = 0
    for (const [k, part] of parts.entries()) {
      const outDim = outDims[k] ?? 0
      for (let o = 0; o < outDim; o++) {
        for (let i = 0; i < inDim; i++) {
          result[i * total + colOffset + o] = part.data[o * inDim + i] ?? 0
        }
      }
      colOffset += outDim
      this.progress(part.data.length)
    }
    return this.values(result, [inDim, total])
  }

  /** Concatenates 1-D tensors (the q, k, v biases). */
  concat(ckpt: Checkpoint, names: readonly string[]): ExternalTensor {
    const parts = names.map((n) => ckpt.read(n))
    const result = new Float32Array(parts.reduce((a, p) => a + p.length, 0))
    let offset = 0
    for (const part of parts) {
      result.set(part, offset)
      offset += part.length
      this.progress(part.length)
    }
    return this.values(result, [result.length])
  }

  private encode(values: Float32Array): Float32Array | Uint16Array {
    return this.type === 'float16' ? toHalfArray(values) : values
  }
}

function transpose(src: Float32Array, rows: number, cols: number): Float32Array {
  const out = new Float32Array(src.length)
  for (let r = 0; r < rows; r++) {
    const base = r * cols
    for (let c = 0; c < cols; c++) {
      out[c * rows + r] = src[base + c] ?? 0
    }
  }
  return out
}
