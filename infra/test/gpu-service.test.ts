import { Match } from 'aws-cdk-lib/assertions'
import { beforeAll, describe, expect, it } from 'vitest'
import { DEV, PROD } from '../config/environments.ts'
import { MODEL_CACHE_PATH } from '../lib/constructs/gpu-service.ts'
import { onlyResource, synthEnvironment, type SynthesizedEnvironment } from './synth-environment.ts'

interface ContainerDefinition {
  Environment: { Name: string; Value: unknown }[]
  Secrets: { Name: string; ValueFrom: unknown }[]
  ResourceRequirements: unknown
  StopTimeout: number
  LogConfiguration: { LogDriver: string; Options: Record<string, unknown> }
}

describe('GPU service', () => {
  let dev: SynthesizedEnvironment
  let container: ContainerDefinition
  beforeAll(() => {
    dev = synthEnvironment(DEV)
    const task = onlyResource(dev.template, 'AWS::ECS::TaskDefinition')
    const [first, ...others] = task.properties.ContainerDefinitions as ContainerDefinition[]
    if (first === undefined || others.length > 0) {
      throw new Error('expected exactly one container in the runner task')
    }
    container = first
  })

  it('reserves exactly one GPU for the runner container', () => {
    expect(container.ResourceRequirements).toEqual([{ Type: 'GPU', Value: '1' }])
  })

  it('sets the RUNNER_* environment from the environment config', () => {
    const env = Object.fromEntries(container.Environment.map((e) => [e.Name, e.Value]))
    expect(env).toEqual({
      // Added by CDK to every container; the AWS SDK needs it for the S3 download.
      AWS_REGION: 'us-east-1',
      RUNNER_ENV: 'production',
      RUNNER_PORT: '8080',
      RUNNER_MODEL_URI: `s3://${DEV.modelBucketName}/${DEV.modelPrefix}`,
      RUNNER_CACHE_DIR: MODEL_CACHE_PATH,
      RUNNER_EP: 'cuda',
      RUNNER_S3_REGION: 'us-east-1',
      RUNNER_MAX_BATCH: '8',
      RUNNER_MAX_QUEUE: '32',
      RUNNER_REQUEST_TIMEOUT_MS: '60000',
      RUNNER_DRAIN_TIMEOUT_MS: '60000',
      RUNNER_LOG_LEVEL: 'debug',
      RUNNER_SERVICE_NAME: 'showo-runner-dev',
      RUNNER_METRICS_INTERVAL_MS: '10000',
    })
  })

  it('passes the delay limit only where the environment sets one', () => {
    const env = (synthesized: SynthesizedEnvironment) => {
      const task = onlyResource(synthesized.template, 'AWS::ECS::TaskDefinition')
      const [only] = task.properties.ContainerDefinitions as ContainerDefinition[]
      return Object.fromEntries((only?.Environment ?? []).map((e) => [e.Name, e.Value]))
    }
    expect(env(dev)).not.toHaveProperty('RUNNER_MAX_DELAY_MS')
    expect(env(synthEnvironment(PROD))).toMatchObject({ RUNNER_MAX_DELAY_MS: '20000' })
  })

  it('injects the HMAC secret from Secrets Manager, never as plain text', () => {
    const secret = onlyResource(dev.template, 'AWS::SecretsManager::Secret')
    expect(container.Secrets).toEqual([{ Name: 'RUNNER_SECRET', ValueFrom: { Ref: secret.id } }])
    expect(JSON.stringify(container.Environment)).not.toMatch(/SECRET/)
  })

  it('gives the runner its drain deadline plus margin before SIGKILL', () => {
    expect(container.StopTimeout).toBe(DEV.runner.drainTimeoutSeconds + 10)
  })

  it('logs to CloudWatch without blocking the event loop (EMF lines travel this way)', () => {
    expect(container.LogConfiguration).toMatchObject({
      LogDriver: 'awslogs',
      Options: { mode: 'non-blocking', 'awslogs-stream-prefix': 'runner' },
    })
  })

  it('runs on the capacity provider, keeps the autoscaled count across deploys', () => {
    const provider = onlyResource(dev.template, 'AWS::ECS::CapacityProvider')
    const service = onlyResource(dev.template, 'AWS::ECS::Service')
    expect(service.properties).toMatchObject({
      CapacityProviderStrategy: [{ CapacityProvider: { Ref: provider.id }, Weight: 1 }],
      DeploymentConfiguration: {
        DeploymentCircuitBreaker: { Enable: true, Rollback: true },
        MinimumHealthyPercent: 100,
      },
      HealthCheckGracePeriodSeconds: DEV.scaling.coldStartSeconds,
    })
    expect(service.properties).not.toHaveProperty('DesiredCount')
    expect(service.properties).not.toHaveProperty('LaunchType')
  })

  it('checks /readyz and drains for exactly the runner drain deadline', () => {
    expect(dev.template).toHaveResourceProperties('AWS::ElasticLoadBalancingV2::TargetGroup', {
      HealthCheckPath: '/readyz',
      Matcher: { HttpCode: '200' },
      TargetType: 'ip',
      Port: 8080,
      TargetGroupAttributes: Match.arrayWith([
        {
          Key: 'deregistration_delay.timeout_seconds',
          Value: String(DEV.runner.drainTimeoutSeconds),
        },
      ]),
    })
  })

  it('mounts a per-instance model cache volume at RUNNER_CACHE_DIR', () => {
    expect(dev.template).toHaveResourceProperties('AWS::ECS::TaskDefinition', {
      NetworkMode: 'awsvpc',
      Volumes: [
        {
          Name: 'model-cache',
          DockerVolumeConfiguration: { Scope: 'shared', Autoprovision: true, Driver: 'local' },
        },
      ],
      ContainerDefinitions: [
        Match.objectLike({
          MountPoints: [
            { SourceVolume: 'model-cache', ContainerPath: MODEL_CACHE_PATH, ReadOnly: false },
          ],
        }),
      ],
    })
  })
})
