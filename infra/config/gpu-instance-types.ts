/** What the stack needs to know about one GPU instance type to size tasks and price images. */
export interface GpuInstanceSpec {
  /** Marketing name of the accelerator, for the README and dashboards. */
  readonly gpuModel: string
  /** GPUs per instance; the fleet runs one runner task per GPU. */
  readonly gpus: number
  readonly gpuMemoryGiB: number
  readonly vcpus: number
  readonly memoryMiB: number
  /**
   * On-demand Linux price in us-east-1, USD per hour. An assumed list price copied by hand from
   * the AWS price list, not fetched: check it before trusting the cost sheet.
   */
  readonly assumedOnDemandUsdPerHour: number
  /**
   * Dense fp16 tensor-core peak in TFLOP/s from the vendor datasheet; the cost sheet scales
   * reference timings by it until a measured figure replaces them.
   */
  readonly fp16DenseTflops: number
}

/**
 * The instance types the fleet may use. Only single-GPU sizes: one task per instance keeps the
 * capacity provider's arithmetic (one GPU reserved = one instance busy) exact.
 */
export const GPU_INSTANCE_TYPES = {
  'g6.xlarge': {
    gpuModel: 'NVIDIA L4',
    gpus: 1,
    gpuMemoryGiB: 24,
    vcpus: 4,
    memoryMiB: 16_384,
    assumedOnDemandUsdPerHour: 0.8048,
    fp16DenseTflops: 121,
  },
  'g5.xlarge': {
    gpuModel: 'NVIDIA A10G',
    gpus: 1,
    gpuMemoryGiB: 24,
    vcpus: 4,
    memoryMiB: 16_384,
    assumedOnDemandUsdPerHour: 1.006,
    fp16DenseTflops: 70,
  },
} as const satisfies Record<string, GpuInstanceSpec>

/** One of the instance types in {@link GPU_INSTANCE_TYPES}. */
export type GpuInstanceTypeName = keyof typeof GPU_INSTANCE_TYPES

/** True when `name` is an instance type the fleet supports. */
export function isGpuInstanceTypeName(name: string): name is GpuInstanceTypeName {
  return Object.hasOwn(GPU_INSTANCE_TYPES, name)
}
