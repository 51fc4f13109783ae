import { closeSync, fstatSync, openSync, readSync } from 'node:fs'
import { fromBfloat16Array, fromHalfArray } from '../onnx/float16.ts'
import { CheckpointError } from './checkpoint-error.ts'

/**
 * Element types a header may declare. Floats decode to float32; small integer buffers (MAGVIT's
 * `quantize.power_vals` is int64 in the reference) decode exactly as long as they fit 2^53.
 */
const DTYPE_BYTES = {
  F32: 4,
  F16: 2,
  BF16: 2,
  F64: 8,
  I64: 8,
  I32: 4,
  I16: 2,
  I8: 1,
  U8: 1,
  BOOL: 1,
} as const

/** A dtype this reader understands. */
export type SafetensorsDtype = keyof typeof DTYPE_BYTES

/** One tensor's entry in a safetensors header. */
export interface TensorEntry {
  name: string
  dtype: SafetensorsDtype
  shape: number[]
  /** Absolute byte offset in the file. */
  start: number
  byteLength: number
}

/** The safetensors reference reader refuses headers over 100 MB; so do we. */
const MAX_HEADER_BYTES = 100_000_000

/**
 * A safetensors file opened for reading tensor by tensor: only the header is held in memory, each
 * read goes to the file at the tensor's offset.
 */
export class SafetensorsFile {
  private constructor(
    readonly path: string,
    private readonly fd: number,
    readonly tensors: ReadonlyMap<string, TensorEntry>,
    readonly metadata: Readonly<Record<string, string>>
  ) {}

  /** Opens and validates a file; throws {@link CheckpointError} naming the problem. */
  static open(path: string): SafetensorsFile {
    let fd: number
    try {
      fd = openSync(path, 'r')
    } catch (error) {
      throw new CheckpointError(
        `${path}: cannot open (${(error as NodeJS.ErrnoException).code ?? String(error)})`
      )
    }
    try {
      const { tensors, metadata } = readHeader(path, fd)
      return new SafetensorsFile(path, fd, tensors, metadata)
    } catch (error) {
      closeSync(fd)
      throw error
    }
  }

  /** The entry of a tensor, or a clear error. */
  entry(name: string): TensorEntry {
    const entry = this.tensors.get(name)
    if (!entry) {
      throw new CheckpointError(`${this.path}: no tensor named '${name}'`)
    }
    return entry
  }

  /** Reads rows [start, start + count) of a tensor (first dimension), decoded to float32. */
  readRows(name: string, start: number, count: number): Float32Array {
    const entry = this.entry(name)
    const rows = entry.shape[0] ?? 1
    const rowElems = entry.shape.slice(1).reduce((a, b) => a * b, 1)
    if (start < 0 || count < 0 || start + count > rows) {
      throw new RangeError(`${name}: rows [${start}, ${start + count}) outside [0, ${rows})`)
    }
    const size = DTYPE_BYTES[entry.dtype]
    const bytes = Buffer.allocUnsafe(count * rowElems * size)
    readFully(this.fd, bytes, entry.start + start * rowElems * size, this.path)
    return decode(entry.dtype, bytes)
  }

  /** Reads a whole tensor decoded to float32. */
  read(name: string): Float32Array {
    const entry = this.entry(name)
    return this.readRows(name, 0, entry.shape.length === 0 ? 1 : (entry.shape[0] ?? 1))
  }

  /** Closes the file. */
  close(): void {
    closeSync(this.fd)
  }
}

function readFully(fd: number, into: Buffer, position: number, path: string): void {
  let done = 0
  while (done < into.length) {
    const n = readSync(fd, into, done, into.length - done, position + done)
    if (n === 0) {
      throw new CheckpointError(
        `${path}: truncated (unexpected end of file at byte ${position + done})`
      )
    }
    done += n
  }
}

function decode(dtype: SafetensorsDtype, bytes: Buffer): Float32Array {
  // Copy into a fresh aligned buffer: Buffer slices from the pool may sit at unaligned offsets.
  const aligned = new Uint8Array(bytes.length)
  aligned.set(bytes)
  switch (dtype) {
    case 'F32':
      return new Float32Array(aligned.buffer)
    case 'F16':
      return fromHalfArray(new Uint16Array(aligned.buffer))
    case 'BF16':
      return fromBfloat16Array(new Uint16Array(aligned.buffer))
    case 'F64':
      return Float32Array.from(new Float64Array(aligned.buffer))
    case 'I64':
      return Float32Array.from(new BigInt64Array(aligned.buffer), Number)
    case 'I32':
      return Float32Array.from(new Int32Array(aligned.buffer))
    case 'I16':
      return Float32Array.from(new Int16Array(aligned.buffer))
    case 'I8':
      return Float32Array.from(new Int8Array(aligned.buffer))
    case 'U8':
    case 'BOOL':
      return Float32Array.from(aligned)
  }
}

function readHeader(
  path: string,
  fd: number
): { tensors: Map<string, TensorEntry>; metadata: Record<string, string> } {
  const fileSize = fstatSync(fd).size
  if (fileSize < 8) {
    throw new CheckpointError(`${path}: not a safetensors file (only ${fileSize} bytes)`)
  }
  const prefix = Buffer.alloc(8)
  readFully(fd, prefix, 0, path)
  const headerLength = Number(prefix.readBigUInt64LE(0))
  if (headerLength > MAX_HEADER_BYTES || headerLength < 2) {
    throw new CheckpointError(
      `${path}: not a safetensors file (header length ${headerLength} is implausible)`
    )
  }
  if (8 + headerLength > fileSize) {
    throw new CheckpointError(
      `${path}: truncated (header of ${headerLength} bytes, file of ${fileSize} bytes)`
    )
  }
  const headerBytes = Buffer.alloc(headerLength)
  readFully(fd, headerBytes, 8, path)
  const text = headerBytes.toString('utf8')
  if (!text.startsWith('{')) {
    throw new CheckpointError(`${path}: not a safetensors file (header is not a JSON object)`)
  }
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch (error) {
    throw new CheckpointError(`${path}: bad header (${(error as Error).message})`)
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    throw new CheckpointError(`${path}: bad header (not a JSON object)`)
  }
  const dataStart = 8 + headerLength
  const dataSize = fileSize - dataStart
  const tensors = new Map<string, TensorEntry>()
  let metadata: Record<string, string> = {}
  const spans: [number, number, string][] = []
  for (const [name, raw] of Object.entries(json as Record<string, unknown>)) {
    if (name === '__metadata__') {
      metadata = (raw ?? {}) as Record<string, string>
      continue
    }
    const entry = parseEntry(path, name, raw)
    const [begin, end] = entry.offsets
    if (end > dataSize) {
      throw new CheckpointError(
        `${path}: truncated (tensor '${name}' ends at byte ${dataStart + end}, file has ${fileSize} bytes)`
      )
    }
    spans.push([begin, end, name])
    tensors.set(name, {
      name,
      dtype: entry.dtype,
      shape: entry.shape,
      start: dataStart + begin,
      byteLength: end - begin,
    })
  }
  spans.sort((a, b) => a[0] - b[0])
  for (let i = 1; i < spans.length; i++) {
    const prev = spans[i - 1]
    const cur = spans[i]
    if (prev && cur && cur[0] < prev[1]) {
      throw new CheckpointError(
        `${path}: bad header (tensors '${prev[2]}' and '${cur[2]}' overlap)`
      )
    }
  }
  return { tensors, metadata }
}

function parseEntry(
  path: string,
  name: string,
  raw: unknown
): { dtype: SafetensorsDtype; shape: number[]; offsets: [number, number] } {
  const bad = (why: string): CheckpointError =>
    new CheckpointError(`${path}: bad header for tensor '${name}' (${why})`)
  if (typeof raw !== 'object' || raw === null) {
    throw bad('entry is not an object')
  }
  const { dtype, shape, data_offsets: offsets } = raw as Record<string, unknown>
  if (typeof dtype !== 'string') {
    throw bad('missing dtype')
  }
  if (!Object.hasOwn(DTYPE_BYTES, dtype)) {
    throw new CheckpointError(
      `${path}: tensor '${name}' has dtype ${dtype}, which is not supported (supported: ${Object.keys(DTYPE_BYTES).join(', ')})`
    )
  }
  if (!Array.isArray(shape) || !shape.every((d) => Number.isSafeInteger(d) && (d as number) >= 0)) {
    throw bad('shape is not a list of sizes')
  }
  if (
    !Array.isArray(offsets) ||
    offsets.length !== 2 ||
    !offsets.every((o) => Number.isSafeInteger(o) && (o as number) >= 0)
  ) {
    throw bad('data_offsets is not [begin, end]')
  }
  const [begin, end] = offsets as [number, number]
  const typed = dtype as SafetensorsDtype
  const elems = (shape as number[]).reduce((a, b) => a * b, 1)
  if (end - begin !== elems * DTYPE_BYTES[typed]) {
    throw bad(`${end - begin} bytes for shape [${(shape as number[]).join(', ')}] of ${dtype}`)
  }
  return { dtype: typed, shape: shape as number[], offsets: [begin, end] }
}
