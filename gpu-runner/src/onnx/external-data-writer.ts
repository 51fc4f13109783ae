import { closeSync, fsyncSync, openSync, writeSync } from 'node:fs'
import { basename } from 'node:path'
import type { ExternalTensor } from './graph-builder.ts'
import { BYTES_PER_ELEMENT, type TensorType } from './tensor-type.ts'

/** ORT memory-maps external data on the CPU when tensors start on a page boundary. */
const ALIGNMENT = 4096

/**
 * Appends weights to one external data file, page-aligned, and hands back the references that graphs
 * store. Large tensors can be written piecewise (`reserve` + `writeAt`) so they never sit in memory
 * whole.
 */
export class ExternalDataWriter {
  private readonly fd: number
  private end = 0
  private closed = false

  constructor(readonly path: string) {
    this.fd = openSync(path, 'wx')
  }

  /** Name graphs use in their `location` field (the file sits next to the .onnx files). */
  get location(): string {
    return basename(this.path)
  }

  /** Bytes written so far, padding included. */
  get size(): number {
    return this.end
  }

  /** Reserves space for a tensor and returns its reference; fill it with {@link writeAt}. */
  reserve(type: TensorType, dims: readonly number[]): ExternalTensor {
    const length = dims.reduce((a, b) => a * b, 1) * BYTES_PER_ELEMENT[type]
    const offset = Math.ceil(this.end / ALIGNMENT) * ALIGNMENT
    this.end = offset + length
    return { type, dims: [...dims], location: this.location, offset, length }
  }

  /** Writes bytes at `byteOffset` inside a reserved tensor. */
  writeAt(tensor: ExternalTensor, byteOffset: number, bytes: ArrayBufferView): void {
    if (byteOffset < 0 || byteOffset + bytes.byteLength > tensor.length) {
      throw new RangeError(
        `write of ${bytes.byteLength} bytes at ${byteOffset} outside a ${tensor.length}-byte tensor`
      )
    }
    const view = new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength)
    let done = 0
    while (done < view.byteLength) {
      done += writeSync(
        this.fd,
        view,
        done,
        view.byteLength - done,
        tensor.offset + byteOffset + done
      )
    }
  }

  /** Appends a whole tensor. */
  append(type: TensorType, dims: readonly number[], bytes: ArrayBufferView): ExternalTensor {
    const tensor = this.reserve(type, dims)
    if (bytes.byteLength !== tensor.length) {
      throw new RangeError(
        `tensor of dims [${dims.join(',')}] needs ${tensor.length} bytes, got ${bytes.byteLength}`
      )
    }
    this.writeAt(tensor, 0, bytes)
    return tensor
  }

  /** Flushes to disk and closes the file. */
  close(): void {
    if (!this.closed) {
      this.closed = true
      fsyncSync(this.fd)
      closeSync(this.fd)
    }
  }
}
