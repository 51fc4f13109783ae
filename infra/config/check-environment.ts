import type { RunnerEnvironment } from './environments.ts'
import { isGpuInstanceTypeName } from './gpu-instance-types.ts'

/** A runner environment that cannot be deployed; the message lists every problem, one a line. */
export class EnvironmentConfigError extends Error {
  override readonly name = 'EnvironmentConfigError'
  constructor(
    readonly environment: string,
    readonly problems: readonly string[]
  ) {
    super(
      `invalid runner environment '${environment}':\n${problems.map((p) => `  ${p}`).join('\n')}`
    )
  }
}

/**
 * Bound on the container stop timeout: ECS documents 120 s as the maximum on Fargate and none on
 * EC2; staying within it keeps the task definition portable, and 110 s of drain is ample for
 * images that take about a second.
 */
export const MAX_STOP_TIMEOUT_SECONDS = 120
/** Seconds between the runner's drain deadline and the SIGKILL, for the process to exit. */
export const STOP_MARGIN_SECONDS = 10

const REGION = /^[a-z]{2}(-[a-z]+)+-\d$/
const NAME = /^[a-z][a-z0-9-]{0,15}$/
const IMAGE_TAG = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/
const MODEL_PREFIX = /^[a-z0-9][a-z0-9._-]*(\/[a-z0-9][a-z0-9._-]*)*$/
const HOST = /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/
const IPV4_CIDR = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/
const BUCKET = /^(?!xn--)[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$/
const EMAIL = /^[^@\s]+@[^@\s]+\.[^@\s]+$/

/**
 * Checks a runner environment before any construct sees it, so a bad value fails synth with a
 * message naming the field instead of a CloudFormation error twenty minutes into a deploy.
 * Throws {@link EnvironmentConfigError} listing every problem found.
 */
export function checkEnvironment(env: RunnerEnvironment): void {
  const problems = [...checkPlacement(env), ...checkFleet(env), ...checkRunner(env)]
  problems.push(...checkScaling(env), ...checkEndpoint(env))
  if (env.alarmEmail !== undefined && !EMAIL.test(env.alarmEmail)) {
    problems.push(`alarmEmail: '${env.alarmEmail}' is not an e-mail address`)
  }
  if (problems.length > 0) {
    throw new EnvironmentConfigError(env.name, problems)
  }
}

function checkPlacement(env: RunnerEnvironment): string[] {
  const problems: string[] = []
  if (!NAME.test(env.name)) {
    problems.push(`name: '${env.name}' must be 1-16 lower-case letters, digits or dashes`)
  }
  if (!REGION.test(env.region)) {
    problems.push(`region: '${env.region}' does not look like a region such as us-east-1`)
  }
  if (new Set(env.availabilityZones).size < 2) {
    problems.push('availabilityZones: the load balancer needs at least two distinct zones')
  }
  for (const zone of env.availabilityZones) {
    if (!new RegExp(`^${env.region}[a-z]$`).test(zone)) {
      problems.push(`availabilityZones: '${zone}' is not a zone of ${env.region}`)
    }
  }
  if (!isWhole(env.natGateways, 1, env.availabilityZones.length)) {
    problems.push('natGateways: must be a whole number from 1 to the number of zones')
  }
  return problems
}

function checkFleet(env: RunnerEnvironment): string[] {
  const problems: string[] = []
  if (!isGpuInstanceTypeName(env.instanceType)) {
    problems.push(`instanceType: '${String(env.instanceType)}' is not in GPU_INSTANCE_TYPES`)
  }
  if (!isWhole(env.minRunners, 0, 100)) {
    problems.push('minRunners: must be a whole number from 0 to 100')
  }
  if (!isWhole(env.maxRunners, 1, 100)) {
    problems.push('maxRunners: must be a whole number from 1 to 100')
  }
  if (env.minRunners > env.maxRunners) {
    problems.push(`minRunners (${env.minRunners}) must not exceed maxRunners (${env.maxRunners})`)
  }
  if (!isWhole(env.rootVolumeGiB, 30, 1000)) {
    problems.push('rootVolumeGiB: must be 30-1000 (the ECS GPU AMI itself needs 30)')
  }
  if (!IMAGE_TAG.test(env.imageTag) || env.imageTag === 'latest') {
    problems.push(`imageTag: '${env.imageTag}' must be a version tag (the repository is immutable)`)
  }
  if (!BUCKET.test(env.modelBucketName) || env.modelBucketName.endsWith('-s3alias')) {
    problems.push(
      `modelBucketName: '${env.modelBucketName}' must be 3-63 lower-case letters, digits or ` +
        'dashes (no dots: they break TLS to virtual-hosted bucket names)'
    )
  }
  if (!MODEL_PREFIX.test(env.modelPrefix) || env.modelPrefix.split('/').includes('..')) {
    problems.push(
      `modelPrefix: '${env.modelPrefix}' must be lower-case key segments joined by '/', ` +
        'without a leading or trailing slash'
    )
  }
  return problems
}

function checkRunner(env: RunnerEnvironment): string[] {
  const { maxBatch, maxQueue, maxDelaySeconds, requestTimeoutSeconds, drainTimeoutSeconds } =
    env.runner
  const problems: string[] = []
  if (!isWhole(maxBatch, 1, 256)) {
    problems.push('runner.maxBatch: must be a whole number from 1 to 256')
  }
  if (!isWhole(maxQueue, 1, 100_000)) {
    problems.push('runner.maxQueue: must be a whole number from 1 to 100000')
  }
  if (!isWhole(requestTimeoutSeconds, 1, 3600)) {
    problems.push('runner.requestTimeoutSeconds: must be a whole number from 1 to 3600')
  }
  if (maxDelaySeconds !== undefined && !isWhole(maxDelaySeconds, 1, requestTimeoutSeconds - 1)) {
    problems.push(
      'runner.maxDelaySeconds: must be a whole number of seconds below runner.requestTimeoutSeconds'
    )
  }
  const maxDrain = MAX_STOP_TIMEOUT_SECONDS - STOP_MARGIN_SECONDS
  if (!isWhole(drainTimeoutSeconds, 5, maxDrain)) {
    problems.push(
      `runner.drainTimeoutSeconds: must be 5-${maxDrain}: the stop timeout (drain + ` +
        `${STOP_MARGIN_SECONDS} s to exit) is kept within ECS's ${MAX_STOP_TIMEOUT_SECONDS} s`
    )
  }
  return problems
}

function checkScaling(env: RunnerEnvironment): string[] {
  const s = env.scaling
  const problems: string[] = []
  if (!(s.targetQueueDepthPerRunner > 0 && s.targetQueueDepthPerRunner <= env.runner.maxQueue)) {
    problems.push('scaling.targetQueueDepthPerRunner: must be above 0 and at most runner.maxQueue')
  }
  if (!isWhole(s.coldStartSeconds, 60, 3600)) {
    problems.push('scaling.coldStartSeconds: must be a whole number from 60 to 3600')
  }
  // The request that woke the fleet must still be inside the idle window when the first runner
  // becomes ready, or the idle policy would send the fleet back to zero while it starts.
  const minIdle = Math.ceil(s.coldStartSeconds / 60) + 5
  if (!isWhole(s.idleMinutesBeforeZero, minIdle, 1440)) {
    problems.push(
      `scaling.idleMinutesBeforeZero: must be ${minIdle}-1440 (cold start plus 5 minutes, ` +
        'at most a day)'
    )
  }
  if (!isWhole(s.maxInstancesPerScaleOut, 1, 10_000)) {
    problems.push('scaling.maxInstancesPerScaleOut: must be a whole number from 1 to 10000')
  }
  return problems
}

function checkEndpoint(env: RunnerEnvironment): string[] {
  const { tls, allowedIngressCidrs } = env.endpoint
  const problems: string[] = []
  if (allowedIngressCidrs.length === 0) {
    problems.push('endpoint.allowedIngressCidrs: list at least one CIDR (nothing could connect)')
  }
  for (const cidr of allowedIngressCidrs) {
    if (!isIpv4Cidr(cidr)) {
      problems.push(`endpoint.allowedIngressCidrs: '${cidr}' is not an IPv4 CIDR`)
    } else if (tls === undefined && cidr.endsWith('/0')) {
      problems.push(
        `endpoint.allowedIngressCidrs: '${cidr}' opens plain HTTP to the internet; prompts and ` +
          'images would cross it unencrypted. Configure endpoint.tls or narrow the CIDR'
      )
    }
  }
  if (tls !== undefined) {
    if (!HOST.test(tls.domainName)) {
      problems.push(`endpoint.tls.domainName: '${tls.domainName}' is not a lower-case host name`)
    }
    const arn = new RegExp(`^arn:aws[a-z-]*:acm:${env.region}:\\d{12}:certificate/[0-9a-f-]{36}$`)
    if (!arn.test(tls.certificateArn)) {
      problems.push(
        `endpoint.tls.certificateArn: '${tls.certificateArn}' is not an ACM certificate ARN in ` +
          `${env.region} (a load balancer can only use certificates from its own region)`
      )
    }
  }
  return problems
}

function isWhole(value: number, min: number, max: number): boolean {
  return Number.isInteger(value) && value >= min && value <= max
}

function isIpv4Cidr(cidr: string): boolean {
  const match = IPV4_CIDR.exec(cidr)
  if (match === null) {
    return false
  }
  const [, ...parts] = match
  const numbers = parts.map(Number)
  const prefix = numbers.pop() ?? -1
  return numbers.every((n) => n <= 255) && prefix <= 32
}
