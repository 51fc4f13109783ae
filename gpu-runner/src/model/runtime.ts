// The only module that imports onnxruntime-node: execution-provider choice, session creation, and
// feeds checked against the graph's inputs. Everything else passes plain typed arrays.
import ort from 'onnxruntime-node'

/** Execution providers this project runs on. */
export type ExecutionProvider = 'cpu' | 'cuda' | 'webgpu'

/** What the user asked for: one EP, or `auto` (first that loads of cuda, webgpu, cpu). */
export type EpChoice = ExecutionProvider | 'auto'

/** A tensor left in GPU memory by a session, fed back to another run without a copy. Opaque. */
export interface DeviceHandle {
  dispose: () => void
}

/**
 * A tensor as plain data. float16 values travel as their Uint16 bit patterns; `device` tensors stay
 * on the GPU (WebGPU EP) and can only be fed back to a session or released.
 */
export type TensorData =
  | { type: 'device'; dims: readonly number[]; handle: DeviceHandle }
  | { type: 'float32'; dims: readonly number[]; data: Float32Array }
  | { type: 'float16'; dims: readonly number[]; data: Uint16Array }
  | { type: 'int64'; dims: readonly number[]; data: BigInt64Array }
  | { type: 'int32'; dims: readonly number[]; data: Int32Array }
  | { type: 'bool'; dims: readonly number[]; data: Uint8Array }

/** Options for {@link ModelSession.create}. */
export interface SessionOptions {
  ep: EpChoice
  /** Threads for one operator on the CPU EP (default: ORT's choice). */
  intraOpThreads?: number
  /** GPU ordinal on the CUDA EP (default 0); other EPs ignore it. */
  deviceId?: number
  /**
   * Outputs to leave on the GPU where the EP allows it (WebGPU): key/value caches that only go back
   * into the next run. Ignored on other EPs, where every output comes back to the CPU.
   */
  deviceOutputs?: readonly string[]
}

/** A session or EP problem: an EP that cannot load, bad feeds, a failed run. */
export class RuntimeError extends Error {
  override readonly name = 'RuntimeError'
}

const AUTO_ORDER: readonly ExecutionProvider[] = ['cuda', 'webgpu', 'cpu']

/** One ONNX Runtime inference session. */
export class ModelSession {
  private constructor(
    private readonly session: ort.InferenceSession,
    readonly path: string,
    readonly ep: ExecutionProvider
  ) {}

  /**
   * Opens a graph on the chosen EP. An EP that cannot load is an error naming it, never a silent
   * switch to another, unless the choice is `auto`.
   */
  static async create(path: string, options: SessionOptions): Promise<ModelSession> {
    const candidates = options.ep === 'auto' ? AUTO_ORDER : [options.ep]
    const failures: string[] = []
    for (const ep of candidates) {
      try {
        const keep = ep === 'webgpu' ? (options.deviceOutputs ?? []) : []
        const session = await ort.InferenceSession.create(path, {
          executionProviders: [
            ep === 'cuda' && options.deviceId !== undefined
              ? { name: 'cuda', deviceId: options.deviceId }
              : ep,
          ],
          graphOptimizationLevel: 'all',
          ...(options.intraOpThreads ? { intraOpNumThreads: options.intraOpThreads } : {}),
          ...(keep.length > 0
            ? {
                preferredOutputLocation: Object.fromEntries(
                  keep.map((n) => [n, 'gpu-buffer' as const])
                ),
              }
            : {}),
        })
        return new ModelSession(session, path, ep)
      } catch (error) {
        failures.push(`${ep}: ${firstLine(error)}`)
      }
    }
    if (options.ep === 'auto') {
      throw new RuntimeError(`no execution provider could open ${path} (${failures.join('; ')})`)
    }
    throw new RuntimeError(
      `execution provider '${options.ep}' cannot open ${path}: ${failures.join('; ')}`
    )
  }

  /** Input names the graph declares. */
  get inputNames(): readonly string[] {
    return this.session.inputNames
  }

  /** Output names the graph declares. */
  get outputNames(): readonly string[] {
    return this.session.outputNames
  }

  /**
   * Runs the graph. Every declared input must be fed and nothing else; `outputs` limits what is
   * copied back (default: all).
   */
  async run(
    feeds: Readonly<Record<string, TensorData>>,
    outputs?: readonly string[]
  ): Promise<Record<string, TensorData>> {
    const missing = this.session.inputNames.filter((n) => !(n in feeds))
    const unknown = Object.keys(feeds).filter((n) => !this.session.inputNames.includes(n))
    if (missing.length > 0 || unknown.length > 0) {
      const parts = [
        missing.length > 0 ? `missing input(s) ${missing.join(', ')}` : '',
        unknown.length > 0 ? `unknown input(s) ${unknown.join(', ')}` : '',
      ].filter(Boolean)
      throw new RuntimeError(`${this.path}: ${parts.join('; ')}`)
    }
    const badOutput = outputs?.find((n) => !this.session.outputNames.includes(n))
    if (badOutput) {
      throw new RuntimeError(`${this.path}: unknown output ${badOutput}`)
    }
    const ortFeeds: Record<string, ort.Tensor> = {}
    for (const [name, t] of Object.entries(feeds)) {
      ortFeeds[name] =
        t.type === 'device' ? (t.handle as ort.Tensor) : new ort.Tensor(t.type, t.data, t.dims)
    }
    let result: ort.InferenceSession.OnnxValueMapType
    try {
      result = outputs
        ? await this.session.run(ortFeeds, [...outputs])
        : await this.session.run(ortFeeds)
    } catch (error) {
      const shapes = Object.entries(feeds).map(([n, t]) => `${n}[${t.dims.join(',')}]`)
      throw new RuntimeError(
        `${this.path}: run failed with inputs ${shapes.join(' ')}: ${firstLine(error)}`
      )
    }
    const out: Record<string, TensorData> = {}
    for (const [name, value] of Object.entries(result)) {
      out[name] = toTensorData(name, value)
    }
    return out
  }

  /** Frees the session. */
  async release(): Promise<void> {
    await this.session.release()
  }
}

function toTensorData(name: string, t: ort.Tensor): TensorData {
  const dims = [...t.dims]
  if (t.location === 'gpu-buffer') {
    return { type: 'device', dims, handle: t }
  }
  switch (t.type) {
    case 'float32':
      return { type: 'float32', dims, data: t.data as Float32Array }
    case 'float16':
      return { type: 'float16', dims, data: t.data as Uint16Array }
    case 'int64':
      return { type: 'int64', dims, data: t.data as BigInt64Array }
    case 'int32':
      return { type: 'int32', dims, data: t.data as Int32Array }
    case 'bool':
      return { type: 'bool', dims, data: t.data as Uint8Array }
    default:
      throw new RuntimeError(`output ${name} has unsupported type ${t.type}`)
  }
}

function firstLine(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error)
  return text.split('\n')[0] ?? text
}

/** Frees a tensor's GPU memory now (a no-op for CPU tensors, which the garbage collector frees). */
export function releaseTensor(t: TensorData): void {
  if (t.type === 'device') {
    t.handle.dispose()
  }
}

/** The values of a CPU output of a given type, or a clear error naming the output. */
export function outputData(
  outputs: Readonly<Record<string, TensorData>>,
  name: string,
  type: 'float32'
): Float32Array
export function outputData(
  outputs: Readonly<Record<string, TensorData>>,
  name: string,
  type: 'int64'
): BigInt64Array
export function outputData(
  outputs: Readonly<Record<string, TensorData>>,
  name: string,
  type: 'float32' | 'int64'
): Float32Array | BigInt64Array {
  const t = outputs[name]
  if (t?.type === 'float32' && type === 'float32') {
    return t.data
  }
  if (t?.type === 'int64' && type === 'int64') {
    return t.data
  }
  throw new RuntimeError(
    `output ${name}: expected ${type} data on the CPU, got ${t?.type ?? 'nothing'}`
  )
}

/** int64 tensor from numbers. */
export function int64Tensor(values: readonly number[], dims: readonly number[]): TensorData {
  return { type: 'int64', dims, data: BigInt64Array.from(values, (v) => BigInt(v)) }
}
