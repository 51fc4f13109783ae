import { join } from 'node:path'
import * as ort from 'onnxruntime-node'
import { MAGVIT_IO } from '../../src/convert/magvit-graph.ts'
import { MAGVIT_FILES } from '../../src/convert/write-magvit.ts'

/** What the encoder gives for a batch of images. */
export interface Encoded {
  /** int64 codes as numbers, [batch, h, w] row-major. */
  codes: number[]
  latents: Float32Array
  /** [batch, z, h, w]. */
  latentDims: number[]
}

/** The two tokenizer graphs of a converted folder, opened on the CPU EP. */
export class VqSessions {
  private constructor(
    private readonly encoder: ort.InferenceSession,
    private readonly decoder: ort.InferenceSession
  ) {}

  static async open(dir: string): Promise<VqSessions> {
    const options: ort.InferenceSession.SessionOptions = { executionProviders: ['cpu'] }
    return new VqSessions(
      await ort.InferenceSession.create(join(dir, MAGVIT_FILES.encoder), options),
      await ort.InferenceSession.create(join(dir, MAGVIT_FILES.decoder), options)
    )
  }

  /** Graph input and output names, for checking the contract. */
  get names(): {
    encoder: [readonly string[], readonly string[]]
    decoder: [readonly string[], readonly string[]]
  } {
    return {
      encoder: [this.encoder.inputNames, this.encoder.outputNames],
      decoder: [this.decoder.inputNames, this.decoder.outputNames],
    }
  }

  /** Encodes float32 pixels of dims [batch, 3, height, width]. */
  async encode(pixels: Float32Array, dims: readonly number[]): Promise<Encoded> {
    const out = await this.encoder.run({
      [MAGVIT_IO.pixels]: new ort.Tensor('float32', pixels, dims),
    })
    const codes = tensor(out, MAGVIT_IO.codes)
    const latents = tensor(out, MAGVIT_IO.latents)
    if (!(codes.data instanceof BigInt64Array) || !(latents.data instanceof Float32Array)) {
      throw new Error(`encoder outputs have types ${codes.type} and ${latents.type}`)
    }
    const [batch = 0, z = 0, h = 0, w = 0] = latents.dims
    if (codes.dims.join() !== [batch, h, w].join()) {
      throw new Error(
        `codes dims [${codes.dims.join()}] do not match latents [${latents.dims.join()}]`
      )
    }
    return {
      codes: Array.from(codes.data, Number),
      latents: latents.data,
      latentDims: [batch, z, h, w],
    }
  }

  /** Decodes codes [batch, h, w]; returns pixels and their dims. */
  async decode(
    codes: readonly number[],
    dims: readonly number[]
  ): Promise<{ pixels: Float32Array; dims: number[] }> {
    const input = new ort.Tensor('int64', BigInt64Array.from(codes, BigInt), dims)
    const pixels = tensor(await this.decoder.run({ [MAGVIT_IO.codes]: input }), MAGVIT_IO.pixels)
    if (!(pixels.data instanceof Float32Array)) {
      throw new Error(`decoder output has type ${pixels.type}`)
    }
    return { pixels: pixels.data, dims: [...pixels.dims] }
  }

  async release(): Promise<void> {
    await this.encoder.release()
    await this.decoder.release()
  }
}

function tensor(out: ort.InferenceSession.OnnxValueMapType, name: string): ort.Tensor {
  const value = out[name]
  if (!value) {
    throw new Error(`no output '${name}'`)
  }
  return value
}

/** Largest |a − b| and largest |b| (the reference's magnitude). */
export function compare(
  actual: ArrayLike<number>,
  expected: ArrayLike<number>
): { maxDiff: number; maxMagnitude: number } {
  if (actual.length !== expected.length) {
    throw new Error(`${actual.length} values, expected ${expected.length}`)
  }
  let maxDiff = 0
  let maxMagnitude = 0
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i] ?? NaN
    const e = expected[i] ?? NaN
    const d = Math.abs(a - e)
    maxDiff = Number.isNaN(d) ? Infinity : Math.max(maxDiff, d)
    maxMagnitude = Math.max(maxMagnitude, Math.abs(e))
  }
  return { maxDiff, maxMagnitude }
}
