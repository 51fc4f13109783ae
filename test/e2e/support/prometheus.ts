/** Reads the runner's `GET /metrics` (Prometheus text format). */
export async function scrapeMetrics(runnerUrl: string): Promise<string> {
  const res = await fetch(`${runnerUrl}/metrics`)
  if (!res.ok) {
    throw new Error(`GET ${runnerUrl}/metrics answered ${res.status}`)
  }
  return res.text()
}

function parseLabels(text: string): Record<string, string> {
  const labels: Record<string, string> = {}
  for (const match of text.matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)) {
    const [, name, value] = match
    if (name !== undefined && value !== undefined) {
      labels[name] = value
    }
  }
  return labels
}

/**
 * Sum of every sample of `name` whose labels include `match` (0 when there is none: a counter
 * series appears only once it has been incremented).
 */
export function sumSamples(
  metrics: string,
  name: string,
  match: Record<string, string> = {}
): number {
  let sum = 0
  for (const line of metrics.split('\n')) {
    const sample = /^([A-Za-z_:][\w:]*)(?:\{(.*)\})?\s+(\S+)$/.exec(line.trim())
    if (!sample || sample[1] !== name) {
      continue
    }
    const labels = parseLabels(sample[2] ?? '')
    if (Object.entries(match).every(([k, v]) => labels[k] === v)) {
      sum += Number(sample[3])
    }
  }
  return sum
}
