import type { GpuInstanceTypeName } from './gpu-instance-types.ts'

/** Where a throughput figure comes from; the cost sheet prints it next to every number. */
export type FigureSource = 'measured' | 'assumed'

/**
 * The one measured reference the estimates scale from (DESIGN.md §6): Show-o Turbo's PyTorch
 * path on an NVIDIA H200, a 4-step 256 px image costs about 19 ms of GPU time in a batch of 32.
 */
export const REFERENCE_THROUGHPUT = {
  secondsPerImage: 0.019,
  batch: 32,
  gpu: 'NVIDIA H200',
  /** Dense fp16 tensor peak of the H200 (datasheet), the denominator of the scaling. */
  fp16DenseTflops: 989,
  basis: 'DESIGN.md §6: PyTorch, fp16, 4 steps, 256 px, batch 32, H200 (measured)',
} as const

/** How much slower than PyTorch the runner's ONNX Runtime path is taken to be. */
export interface RuntimeScenario {
  readonly name: string
  readonly slowdownVsPyTorch: number
  readonly source: FigureSource
  readonly basis: string
}

/**
 * Until BENCHMARKS.md measures the runner itself: the CUDA EP case is a guess (fused kernels, but
 * every step copies KV and logits across PCIe), the other is the gap measured between ORT's
 * WebGPU EP and PyTorch per transformer layer on the same H200 (onnxruntime-notes.md §1.6:
 * 11.4 ms for 4 layers vs 18 ms for 24 layers, ≈ 3.8×).
 */
export const RUNTIME_SCENARIOS: readonly RuntimeScenario[] = [
  {
    name: 'ORT CUDA EP',
    slowdownVsPyTorch: 1.5,
    source: 'assumed',
    basis: 'guess: fused ORT kernels, per-step host copies (no IO binding in Node)',
  },
  {
    name: 'ORT at WebGPU speed',
    slowdownVsPyTorch: 3.8,
    source: 'measured',
    basis: 'onnxruntime-notes.md §1.6, per-layer ORT WebGPU vs PyTorch on one H200',
  },
]

/** A throughput measured on the instance type itself; it replaces every estimate for that type. */
export interface MeasuredThroughput {
  readonly secondsPerImage: number
  readonly basis: string
}

/**
 * Measured runner throughput per instance type (GPU seconds per 4-step 256 px image at the
 * production batch size). Empty until BENCHMARKS.md exists: add the figure here, then run
 * `npm run -w infra cost-sheet` and paste its output into infra/README.md.
 */
export const MEASURED_THROUGHPUT: Partial<Record<GpuInstanceTypeName, MeasuredThroughput>> = {}
