import onnxProto from 'onnx-proto'
import { BYTES_PER_ELEMENT, ONNX_DATA_TYPE, type TensorType } from './tensor-type.ts'

const { onnx } = onnxProto

/** A typed ONNX attribute value (ONNX distinguishes ints from floats, JavaScript does not). */
export type Attribute =
  | { kind: 'int'; value: number }
  | { kind: 'float'; value: number }
  | { kind: 'string'; value: string }
  | { kind: 'ints'; value: readonly number[] }
  | { kind: 'floats'; value: readonly number[] }
  | { kind: 'tensor'; value: InlineTensor }

/** Attribute constructors: `{ axis: int(1), epsilon: float(1e-5) }`. */
export const int = (value: number): Attribute => ({ kind: 'int', value })
export const float = (value: number): Attribute => ({ kind: 'float', value })
export const str = (value: string): Attribute => ({ kind: 'string', value })
export const ints = (value: readonly number[]): Attribute => ({ kind: 'ints', value })
export const floats = (value: readonly number[]): Attribute => ({ kind: 'floats', value })

/** A small tensor stored inside the graph. */
export interface InlineTensor {
  type: TensorType
  dims: readonly number[]
  data: Uint8Array
}

/** Where a weight lives in an external data file, relative to the model file's folder. */
export interface ExternalTensor {
  type: TensorType
  dims: readonly number[]
  location: string
  offset: number
  length: number
}

/** A dimension: a fixed size or a symbolic name such as `batch`. */
export type Dim = number | string

/** Options of {@link GraphBuilder.node}. */
export interface NodeOptions {
  domain?: string
  outputs?: number
  name?: string
  /** Names for the outputs (default: fresh names), e.g. a graph output's, to save an Identity. */
  outputNames?: readonly string[]
}

/** Opsets the project's graphs are written against (checked on onnxruntime-node 1.30). */
export const OPSETS = { onnx: 21, microsoft: 1 } as const

/** Microsoft contrib-op domain (MultiHeadAttention, RotaryEmbedding, SkipLayerNormalization…). */
export const MS = 'com.microsoft'

/** Builds one ONNX graph node by node; value names are plain strings. */
export class GraphBuilder {
  private readonly nodes: onnxProto.onnx.INodeProto[] = []
  private readonly initializers: onnxProto.onnx.ITensorProto[] = []
  private readonly inputs: onnxProto.onnx.IValueInfoProto[] = []
  private readonly outputs: onnxProto.onnx.IValueInfoProto[] = []
  private readonly used = new Set<string>()
  private counter = 0

  constructor(readonly name: string) {}

  /** A fresh value name with a readable prefix. */
  fresh(prefix: string): string {
    let name = `${prefix}_${this.counter++}`
    while (this.used.has(name)) {
      name = `${prefix}_${this.counter++}`
    }
    this.used.add(name)
    return name
  }

  /** Declares a graph input. */
  input(name: string, type: TensorType, shape: readonly Dim[]): string {
    this.claim(name)
    this.inputs.push(valueInfo(name, type, shape))
    return name
  }

  /** Declares a graph output produced by `value`, renaming through Identity when needed. */
  output(value: string, name: string, type: TensorType, shape: readonly Dim[]): void {
    if (value !== name) {
      this.claim(name)
      this.nodes.push({ opType: 'Identity', input: [value], output: [name], name: `out_${name}` })
    }
    this.outputs.push(valueInfo(name, type, shape))
  }

  /** Adds a weight stored in an external data file. */
  external(name: string, tensor: ExternalTensor): string {
    this.claim(name)
    this.initializers.push({
      name,
      dataType: ONNX_DATA_TYPE[tensor.type],
      dims: [...tensor.dims],
      dataLocation: onnx.TensorProto.DataLocation.EXTERNAL,
      externalData: [
        { key: 'location', value: tensor.location },
        { key: 'offset', value: String(tensor.offset) },
        { key: 'length', value: String(tensor.length) },
      ],
    })
    return name
  }

  /** Adds a small constant stored inside the graph. */
  constant(prefix: string, tensor: InlineTensor): string {
    const expected = tensor.dims.reduce((a, b) => a * b, 1) * BYTES_PER_ELEMENT[tensor.type]
    if (tensor.data.byteLength !== expected) {
      throw new Error(
        `constant ${prefix}: ${tensor.data.byteLength} bytes for dims [${tensor.dims.join(',')}]`
      )
    }
    const name = this.fresh(prefix)
    this.initializers.push({
      name,
      dataType: ONNX_DATA_TYPE[tensor.type],
      dims: [...tensor.dims],
      rawData: tensor.data,
    })
    return name
  }

  /** int64 constant (shapes, axes, indices). */
  int64s(
    prefix: string,
    values: readonly number[],
    dims: readonly number[] = [values.length]
  ): string {
    return this.constant(prefix, {
      type: 'int64',
      dims,
      data: new Uint8Array(BigInt64Array.from(values, BigInt).buffer),
    })
  }

  /** float32 or float16-typed scalar-or-vector constant from float32 values. */
  floats(
    prefix: string,
    type: 'float32' | 'float16',
    values: readonly number[],
    dims: readonly number[] = [values.length]
  ): string {
    if (type === 'float32') {
      return this.constant(prefix, {
        type,
        dims,
        data: new Uint8Array(Float32Array.from(values).buffer),
      })
    }
    // float16 constants go through a float32 constant and a Cast, which ORT folds at load time.
    return this.node('Cast', [this.floats(prefix, 'float32', values, dims)], {
      to: int(ONNX_DATA_TYPE.float16),
    })
  }

  /** Adds a node with one output and returns the output name. */
  node(
    op: string,
    inputs: readonly string[],
    attrs: Record<string, Attribute> = {},
    options: NodeOptions = {}
  ): string {
    const [out] = this.nodeN(op, inputs, attrs, { ...options, outputs: 1 })
    if (out === undefined) {
      throw new Error(`node ${op} produced no output`)
    }
    return out
  }

  /** Adds a node with several outputs ('' inputs are omitted optional inputs). */
  nodeN(
    op: string,
    inputs: readonly string[],
    attrs: Record<string, Attribute> = {},
    options: NodeOptions = {}
  ): string[] {
    const count = options.outputNames?.length ?? options.outputs ?? 1
    const outputs = Array.from({ length: count }, (_, i) => {
      const name = options.outputNames?.[i]
      if (name === undefined) {
        return this.fresh(op.toLowerCase())
      }
      this.claim(name)
      return name
    })
    this.nodes.push({
      opType: op,
      domain: options.domain ?? '',
      name: options.name ?? outputs[0] ?? op,
      input: trimOptional(inputs),
      output: outputs,
      attribute: Object.entries(attrs).map(([key, attr]) => toAttribute(key, attr)),
    })
    return outputs
  }

  /** Serialises the graph as an ONNX model. */
  toBytes(docString = ''): Uint8Array {
    const model = onnx.ModelProto.create({
      irVersion: 10,
      producerName: 'showo-convert',
      docString,
      opsetImport: [
        { domain: '', version: OPSETS.onnx },
        { domain: MS, version: OPSETS.microsoft },
      ],
      graph: {
        name: this.name,
        node: this.nodes,
        initializer: this.initializers,
        input: this.inputs,
        output: this.outputs,
      },
    })
    return onnx.ModelProto.encode(model).finish()
  }

  private claim(name: string): void {
    if (this.used.has(name)) {
      throw new Error(`graph ${this.name}: value name '${name}' used twice`)
    }
    this.used.add(name)
  }
}

function trimOptional(inputs: readonly string[]): string[] {
  const out = [...inputs]
  while (out.length > 0 && out[out.length - 1] === '') {
    out.pop()
  }
  return out
}

function valueInfo(
  name: string,
  type: TensorType,
  shape: readonly Dim[]
): onnxProto.onnx.IValueInfoProto {
  return {
    name,
    type: {
      tensorType: {
        elemType: ONNX_DATA_TYPE[type],
        shape: {
          dim: shape.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })),
        },
      },
    },
  }
}

function toAttribute(name: string, attr: Attribute): onnxProto.onnx.IAttributeProto {
  const T = onnx.AttributeProto.AttributeType
  switch (attr.kind) {
    case 'int':
      return { name, type: T.INT, i: attr.value }
    case 'float':
      return { name, type: T.FLOAT, f: attr.value }
    case 'string':
      return { name, type: T.STRING, s: new TextEncoder().encode(attr.value) }
    case 'ints':
      return { name, type: T.INTS, ints: [...attr.value] }
    case 'floats':
      return { name, type: T.FLOATS, floats: [...attr.value] }
    case 'tensor':
      return {
        name,
        type: T.TENSOR,
        t: {
          dataType: ONNX_DATA_TYPE[attr.value.type],
          dims: [...attr.value.dims],
          rawData: attr.value.data,
        },
      }
  }
}
