/** Element types the project writes into ONNX graphs and reads back from sessions. */
export type TensorType = 'float32' | 'float16' | 'int64' | 'int32' | 'bool' | 'uint8'

/** ONNX TensorProto.DataType codes. */
export const ONNX_DATA_TYPE: Record<TensorType, number> = {
  float32: 1,
  uint8: 2,
  int32: 6,
  int64: 7,
  bool: 9,
  float16: 10,
}

/** Bytes per element. */
export const BYTES_PER_ELEMENT: Record<TensorType, number> = {
  float32: 4,
  uint8: 1,
  int32: 4,
  int64: 8,
  bool: 1,
  float16: 2,
}

/** Weight precision of a converted model. */
export type WeightDtype = 'fp32' | 'fp16'

/** The ONNX element type that stores weights and activations of a model of that precision. */
export function floatType(dtype: WeightDtype): 'float32' | 'float16' {
  return dtype === 'fp16' ? 'float16' : 'float32'
}
