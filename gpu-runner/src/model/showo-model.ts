import { statSync } from 'node:fs'
import { join } from 'node:path'
import { type LoadedManifest, type Manifest, ModelFolderError, readManifest } from './manifest.ts'
import {
  type EpChoice,
  type ExecutionProvider,
  ModelSession,
  releaseTensor,
  type SessionOptions,
  type TensorData,
} from './runtime.ts'
import { ShowoTokenizer } from './tokenizer.ts'

/** The graphs of a model folder (DESIGN §2). */
export type GraphName = keyof Manifest['graphs']

/** Key/value cache of every layer, as the transformer graphs name them. */
export type KvCache = Record<string, TensorData>

/**
 * A loaded model folder: manifest, tokenizer, and ONNX sessions opened on first use (a real model's
 * graphs are gigabytes each; a runner that never answers understanding requests never loads them).
 */
export class ShowoModel {
  private readonly sessions = new Map<GraphName, Promise<ModelSession>>()
  private resolvedEp: ExecutionProvider | undefined

  private constructor(
    readonly dir: string,
    readonly loaded: LoadedManifest,
    readonly tokenizer: ShowoTokenizer,
    private readonly options: SessionOptions
  ) {}

  /** Opens a model folder; checks the manifest, file sizes and tokenizer before any graph loads. */
  static open(
    dir: string,
    options: { ep: EpChoice; intraOpThreads?: number; deviceId?: number }
  ): ShowoModel {
    const loaded = readManifest(dir)
    for (const file of loaded.manifest.files) {
      let size: number
      try {
        size = statSync(join(dir, file.path)).size
      } catch {
        throw new ModelFolderError(`${dir}: ${file.path} is missing (listed in manifest.json)`)
      }
      if (size !== file.bytes) {
        throw new ModelFolderError(
          `${dir}: ${file.path} has ${size} bytes, manifest.json says ${file.bytes}`
        )
      }
    }
    const tokenizer = ShowoTokenizer.load(
      join(dir, loaded.manifest.tokenizer),
      loaded.manifest.tokens
    )
    return new ShowoModel(dir, loaded, tokenizer, options)
  }

  /** The manifest. */
  get manifest(): Manifest {
    return this.loaded.manifest
  }

  /** The execution provider the sessions run on (known once one graph is loaded). */
  get ep(): ExecutionProvider | undefined {
    return this.resolvedEp
  }

  /** A graph's session, loading it on first use. */
  async session(name: GraphName): Promise<ModelSession> {
    let pending = this.sessions.get(name)
    if (!pending) {
      const layers = this.manifest.transformer.numLayers
      // Caches stay on the GPU between runs where the EP can keep them there.
      const presents = presentNames(layers)
      const options: SessionOptions = {
        ...this.options,
        ep: this.resolvedEp ?? this.options.ep,
        deviceOutputs: name === 'prefill' || name === 'decode' ? presents : [],
      }
      pending = ModelSession.create(join(this.dir, this.manifest.graphs[name]), options)
      this.sessions.set(name, pending)
      pending.then(
        (s) => {
          this.resolvedEp ??= s.ep
        },
        () => this.sessions.delete(name)
      )
    }
    return pending
  }

  /** Closes one graph's session (benchmarks swap graphs to bound memory). */
  async release(name: GraphName): Promise<void> {
    const pending = this.sessions.get(name)
    this.sessions.delete(name)
    if (pending) {
      await (await pending).release()
    }
  }

  /** Closes every session. */
  async close(): Promise<void> {
    await Promise.all([...this.sessions.keys()].map((name) => this.release(name)))
  }
}

/** Output names of the key/value cache a graph returns. */
export function presentNames(layers: number): string[] {
  return Array.from({ length: layers }, (_, l) => [`present_key.${l}`, `present_value.${l}`]).flat()
}

/** The cache fed to a graph from the presents a previous graph returned. */
export function cacheFromPresents(outputs: Record<string, TensorData>, layers: number): KvCache {
  const cache: KvCache = {}
  for (let l = 0; l < layers; l++) {
    const key = outputs[`present_key.${l}`]
    const value = outputs[`present_value.${l}`]
    if (!key || !value) {
      throw new ModelFolderError(`graph returned no present_key.${l}/present_value.${l}`)
    }
    cache[`past_key.${l}`] = key
    cache[`past_value.${l}`] = value
  }
  return cache
}

/** True when the cache lives on the GPU (it cannot be sliced from JavaScript). */
export function isDeviceCache(cache: KvCache): boolean {
  return Object.values(cache).some((t) => t.type === 'device')
}

/** Frees a cache's GPU memory (no-op for CPU caches). */
export function releaseCache(cache: KvCache): void {
  for (const t of Object.values(cache)) {
    releaseTensor(t)
  }
}

/** Keeps only some batch rows of every cache tensor (requests that left the batch are dropped). */
export function selectCacheRows(cache: KvCache, rows: readonly number[]): KvCache {
  const out: KvCache = {}
  for (const [name, t] of Object.entries(cache)) {
    if (t.type === 'device') {
      throw new RangeError(`${name} is on the GPU and cannot be sliced`)
    }
    const [batch = 1, ...rest] = t.dims
    const rowSize = rest.reduce((a, b) => a * b, 1)
    const data = t.data as Float32Array | Uint16Array
    const picked = new (data.constructor as Float32ArrayConstructor | Uint16ArrayConstructor)(
      rows.length * rowSize
    )
    rows.forEach((r, i) => {
      if (r >= batch) {
        throw new RangeError(`row ${r} outside a batch of ${batch}`)
      }
      picked.set(data.subarray(r * rowSize, (r + 1) * rowSize), i * rowSize)
    })
    out[name] = { ...t, dims: [rows.length, ...rest], data: picked } as TensorData
  }
  return out
}
