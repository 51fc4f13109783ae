import { Duration } from 'aws-cdk-lib'
import { Metric } from 'aws-cdk-lib/aws-cloudwatch'

/**
 * The CloudWatch metric every runner writes as an embedded-metric-format log line (to stdout,
 * shipped by the awslogs driver) and the fleet scales on. The runner must use exactly these
 * names: namespace `ShowoRunner`, metric `QueueDepth` (unit Count), one dimension `Service`
 * whose value is the runner's `RUNNER_SERVICE_NAME`. The value is the number of admitted
 * requests not yet answered (queued + running) on that runner plus those it refused as busy
 * since its previous line (demand it shed must still scale the fleet), written at least every
 * {@link RUNNER_QUEUE_METRIC.intervalSeconds} seconds, zeros included: a runner that goes
 * silent when idle would stop the scale-in.
 */
export const RUNNER_QUEUE_METRIC = {
  namespace: 'ShowoRunner',
  metricName: 'QueueDepth',
  unit: 'Count',
  dimension: 'Service',
  intervalSeconds: 10,
} as const

/** The metrics dimension value (and `RUNNER_SERVICE_NAME`) of an environment's runners. */
export function toRunnerServiceName(environmentName: string): string {
  return `showo-runner-${environmentName}`
}

/**
 * Queue depth per runner: the Average over all runners' samples in a minute, because every
 * runner writes under the same dimension value.
 */
export function createQueueDepthMetric(serviceName: string, statistic = 'Average'): Metric {
  return new Metric({
    namespace: RUNNER_QUEUE_METRIC.namespace,
    metricName: RUNNER_QUEUE_METRIC.metricName,
    dimensionsMap: { [RUNNER_QUEUE_METRIC.dimension]: serviceName },
    statistic,
    period: Duration.minutes(1),
  })
}
