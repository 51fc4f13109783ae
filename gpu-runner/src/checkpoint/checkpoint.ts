import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { CheckpointError } from './checkpoint-error.ts'
import { SafetensorsFile, type TensorEntry } from './safetensors-file.ts'

/** A set of named tensors read one at a time from one or more safetensors files. */
export class Checkpoint {
  private constructor(
    readonly source: string,
    private readonly owner: ReadonlyMap<string, SafetensorsFile>,
    private readonly files: readonly SafetensorsFile[]
  ) {}

  /**
   * Opens a checkpoint: a `.safetensors` file, a `*.safetensors.index.json` (sharded), or a folder
   * holding either (`pytorch_model.safetensors` as Show-o names it, or `model.safetensors`).
   */
  static open(path: string): Checkpoint {
    const target = resolveTarget(path)
    if (target.endsWith('.index.json')) {
      return Checkpoint.openSharded(target)
    }
    const file = SafetensorsFile.open(target)
    return new Checkpoint(target, new Map([...file.tensors.keys()].map((n) => [n, file])), [file])
  }

  private static openSharded(indexPath: string): Checkpoint {
    let index: unknown
    try {
      index = JSON.parse(readFileSync(indexPath, 'utf8'))
    } catch (error) {
      throw new CheckpointError(`${indexPath}: bad index (${(error as Error).message})`)
    }
    const weightMap = (index as { weight_map?: unknown }).weight_map
    if (typeof weightMap !== 'object' || weightMap === null) {
      throw new CheckpointError(`${indexPath}: bad index (no weight_map)`)
    }
    const files = new Map<string, SafetensorsFile>()
    const owner = new Map<string, SafetensorsFile>()
    try {
      for (const [name, shard] of Object.entries(weightMap as Record<string, unknown>)) {
        if (typeof shard !== 'string' || shard.includes('/') || shard.includes('\\')) {
          throw new CheckpointError(`${indexPath}: bad index entry for tensor '${name}'`)
        }
        let file = files.get(shard)
        if (!file) {
          file = SafetensorsFile.open(join(dirname(indexPath), shard))
          files.set(shard, file)
        }
        if (!file.tensors.has(name)) {
          throw new CheckpointError(
            `${indexPath}: tensor '${name}' is listed in ${shard} but not stored there`
          )
        }
        owner.set(name, file)
      }
      for (const [shard, file] of files) {
        for (const name of file.tensors.keys()) {
          if (!owner.has(name)) {
            throw new CheckpointError(
              `${indexPath}: tensor '${name}' in ${shard} is missing from the index`
            )
          }
        }
      }
    } catch (error) {
      for (const file of files.values()) {
        file.close()
      }
      throw error
    }
    return new Checkpoint(indexPath, owner, [...files.values()])
  }

  /** Names of every tensor. */
  names(): string[] {
    return [...this.owner.keys()]
  }

  /** True when the checkpoint holds the tensor. */
  has(name: string): boolean {
    return this.owner.has(name)
  }

  /** The header entry of a tensor. */
  entry(name: string): TensorEntry {
    return this.file(name).entry(name)
  }

  /** Shape of a tensor. */
  shape(name: string): number[] {
    return this.entry(name).shape
  }

  /** Reads a whole tensor as float32. */
  read(name: string): Float32Array {
    return this.file(name).read(name)
  }

  /** Reads rows [start, start + count) of a tensor as float32. */
  readRows(name: string, start: number, count: number): Float32Array {
    return this.file(name).readRows(name, start, count)
  }

  /** Closes every file. */
  close(): void {
    for (const file of this.files) {
      file.close()
    }
  }

  private file(name: string): SafetensorsFile {
    const file = this.owner.get(name)
    if (!file) {
      throw new CheckpointError(`${this.source}: missing tensor '${name}'`)
    }
    return file
  }
}

function resolveTarget(path: string): string {
  if (!existsSync(path)) {
    throw new CheckpointError(`${path}: no such file or folder`)
  }
  if (!statSync(path).isDirectory()) {
    return path
  }
  const entries = readdirSync(path)
  const indexes = entries.filter((f) => f.endsWith('.safetensors.index.json'))
  if (indexes.length === 1 && indexes[0]) {
    return join(path, indexes[0])
  }
  for (const preferred of ['pytorch_model.safetensors', 'model.safetensors']) {
    if (entries.includes(preferred)) {
      return join(path, preferred)
    }
  }
  const singles = entries.filter((f) => f.endsWith('.safetensors'))
  if (singles.length === 1 && singles[0]) {
    return join(path, singles[0])
  }
  if (entries.some((f) => f.endsWith('.bin') || f.endsWith('.pt') || f.endsWith('.ckpt'))) {
    throw new CheckpointError(
      `${path}: only PyTorch pickle weights found; convert them to safetensors first`
    )
  }
  throw new CheckpointError(
    singles.length > 1 || indexes.length > 1
      ? `${path}: several safetensors files and no single index; pass the file or index to use`
      : `${path}: no .safetensors file found`
  )
}
