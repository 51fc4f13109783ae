import { GPU_INSTANCE_TYPES, type GpuInstanceTypeName } from '../config/gpu-instance-types.ts'
import {
  MEASURED_THROUGHPUT,
  REFERENCE_THROUGHPUT,
  RUNTIME_SCENARIOS,
  type FigureSource,
  type MeasuredThroughput,
} from '../config/throughput.ts'

/** One line of the cost sheet. */
export interface CostRow {
  readonly instanceType: GpuInstanceTypeName
  readonly scenario: string
  readonly secondsPerImage: number
  readonly throughputSource: FigureSource
  readonly imagesPerHour: number
  readonly usdPerHour: number
  readonly usdPer1000Images: number
}

/** Dollars per 1,000 images on a GPU that is busy all the hour it is paid for. */
export function usdPer1000Images(usdPerHour: number, secondsPerImage: number): number {
  if (!(usdPerHour > 0 && secondsPerImage > 0)) {
    throw new RangeError('price and seconds per image must both be positive')
  }
  return (usdPerHour * secondsPerImage * 1000) / 3600
}

/**
 * The rows: a measured figure where MEASURED_THROUGHPUT has one, otherwise the H200 reference
 * scaled by the fp16 tensor peak ratio and by each runtime scenario.
 */
export function costRows(
  measuredThroughput: Partial<Record<GpuInstanceTypeName, MeasuredThroughput>> = MEASURED_THROUGHPUT
): CostRow[] {
  return (Object.keys(GPU_INSTANCE_TYPES) as GpuInstanceTypeName[]).flatMap((instanceType) => {
    const spec = GPU_INSTANCE_TYPES[instanceType]
    const measured = measuredThroughput[instanceType]
    const estimates =
      measured === undefined
        ? RUNTIME_SCENARIOS.map((s) => ({
            scenario: s.name,
            secondsPerImage:
              REFERENCE_THROUGHPUT.secondsPerImage *
              (REFERENCE_THROUGHPUT.fp16DenseTflops / spec.fp16DenseTflops) *
              s.slowdownVsPyTorch,
            throughputSource: 'assumed' as const,
          }))
        : [
            {
              scenario: `measured: ${measured.basis}`,
              secondsPerImage: measured.secondsPerImage,
              throughputSource: 'measured' as const,
            },
          ]
    return estimates.map((e) => ({
      instanceType,
      scenario: e.scenario,
      secondsPerImage: e.secondsPerImage,
      throughputSource: e.throughputSource,
      imagesPerHour: 3600 / e.secondsPerImage,
      usdPerHour: spec.assumedOnDemandUsdPerHour,
      usdPer1000Images: usdPer1000Images(spec.assumedOnDemandUsdPerHour, e.secondsPerImage),
    }))
  })
}

/** The cost table as Markdown, the form infra/README.md embeds. */
export function renderCostTable(rows: readonly CostRow[] = costRows()): string {
  const lines = [
    '| Instance | GPU | Runtime | GPU s / image | Images / hour | $ / hour (assumed) | $ / 1,000 images |',
    '| --- | --- | --- | ---: | ---: | ---: | ---: |',
  ]
  for (const row of rows) {
    const spec = GPU_INSTANCE_TYPES[row.instanceType]
    lines.push(
      `| ${row.instanceType} | ${spec.gpuModel} | ${row.scenario} | ` +
        `${row.secondsPerImage.toFixed(3)} (${row.throughputSource}) | ` +
        `${Math.round(row.imagesPerHour).toLocaleString('en-US')} | ` +
        `${row.usdPerHour.toFixed(4)} | ${row.usdPer1000Images.toFixed(3)} |`
    )
  }
  return lines.join('\n')
}
