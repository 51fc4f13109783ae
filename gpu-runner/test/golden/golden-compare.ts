/** Largest absolute difference between two arrays, and the largest magnitude of the expected one. */
export function compareArrays(
  actual: ArrayLike<number>,
  expected: ArrayLike<number>
): { maxDiff: number; maxMagnitude: number } {
  if (actual.length !== expected.length) {
    throw new Error(`length ${actual.length} != ${expected.length}`)
  }
  let maxDiff = 0
  let maxMagnitude = 0
  for (let i = 0; i < expected.length; i++) {
    const e = expected[i] ?? 0
    maxDiff = Math.max(maxDiff, Math.abs((actual[i] ?? 0) - e))
    maxMagnitude = Math.max(maxMagnitude, Math.abs(e))
  }
  return { maxDiff, maxMagnitude }
}

/** The golden README's tolerance: 1e-4 absolute, scaled by the largest magnitude when above 1. */
export function tolerance(maxMagnitude: number): number {
  return 1e-4 * Math.max(1, maxMagnitude)
}

/** Flattens nested number arrays (JSON fixtures) to a flat list. */
export function flat(value: unknown): number[] {
  return Array.isArray(value) ? value.flatMap((v) => flat(v)) : [Number(value)]
}

/** The shape of a nested array. */
export function shapeOf(value: unknown): number[] {
  const shape: number[] = []
  let v = value
  while (Array.isArray(v)) {
    shape.push(v.length)
    v = v[0]
  }
  return shape
}
