import { CfnOutput, Duration, Stack, type StackProps } from 'aws-cdk-lib'
import type { IRepository } from 'aws-cdk-lib/aws-ecr'
import { Bucket, type IBucket } from 'aws-cdk-lib/aws-s3'
import type { Construct } from 'constructs'
import { checkEnvironment } from '../config/check-environment.ts'
import type { RunnerEnvironment } from '../config/environments.ts'
import { GPU_INSTANCE_TYPES } from '../config/gpu-instance-types.ts'
import { AlarmTopic } from './constructs/alarm-topic.ts'
import { GpuCapacity } from './constructs/gpu-capacity.ts'
import { GpuService } from './constructs/gpu-service.ts'
import { LogBucket } from './constructs/log-bucket.ts'
import { RunnerEndpoint } from './constructs/runner-endpoint.ts'
import { RunnerMonitoring } from './constructs/runner-monitoring.ts'
import { RunnerNetwork } from './constructs/runner-network.ts'
import { RunnerScaling } from './constructs/runner-scaling.ts'
import { grantModelRead, toModelUri } from './grant-model-read.ts'
import { RUNNER_QUEUE_METRIC, toRunnerServiceName } from './runner-queue-metric.ts'

/** Port the runner listens on in its container (`RUNNER_PORT`). */
export const RUNNER_CONTAINER_PORT = 8080
/** The runner's readiness route: 200 only when models are loaded, warm and not draining. */
export const READINESS_PATH = '/readyz'

/** Settings of {@link RunnerStack}. */
export interface RunnerStackProps extends StackProps {
  readonly environment: RunnerEnvironment
  /** Repository holding the runner image (from the environment's artifacts stack). */
  readonly repository: IRepository
}

/**
 * One environment's runner fleet. It only composes the constructs and wires them together:
 * the model grant, the secret, the target group and the scaling signals.
 */
export class RunnerStack extends Stack {
  readonly endpoint: RunnerEndpoint
  /** The model bucket, known by the name the artifacts stack gave it. */
  readonly modelBucket: IBucket
  readonly capacity: GpuCapacity
  readonly service: GpuService
  readonly scaling: RunnerScaling
  readonly monitoring: RunnerMonitoring

  constructor(scope: Construct, id: string, props: RunnerStackProps) {
    checkEnvironment(props.environment)
    super(scope, id, props)
    const env = props.environment
    const runnerServiceName = toRunnerServiceName(env.name)
    const drainTimeout = Duration.seconds(env.runner.drainTimeoutSeconds)
    const coldStart = Duration.seconds(env.scaling.coldStartSeconds)

    const logs = new LogBucket(this, 'AuditLogs', { retain: env.retainData })
    const network = new RunnerNetwork(this, 'Network', {
      availabilityZones: env.availabilityZones,
      natGateways: env.natGateways,
      flowLogs: logs.bucket,
    })
    this.modelBucket = Bucket.fromBucketName(this, 'ModelBucket', env.modelBucketName)
    const modelUri = toModelUri(env.modelBucketName, env.modelPrefix)
    const alarms = new AlarmTopic(this, 'Alarms', {
      ...(env.alarmEmail === undefined ? {} : { email: env.alarmEmail }),
    })
    this.endpoint = new RunnerEndpoint(this, 'Endpoint', {
      vpc: network.vpc,
      ...(env.endpoint.tls === undefined ? {} : { tls: env.endpoint.tls }),
      allowedIngressCidrs: env.endpoint.allowedIngressCidrs,
      containerPort: RUNNER_CONTAINER_PORT,
      healthCheckPath: READINESS_PATH,
      deregistrationDelay: drainTimeout,
      requestTimeout: Duration.seconds(env.runner.requestTimeoutSeconds),
      accessLogs: logs.bucket,
      retain: env.retainData,
    })
    this.capacity = new GpuCapacity(this, 'GpuCapacity', {
      vpc: network.vpc,
      instanceType: env.instanceType,
      maxRunners: env.maxRunners,
      rootVolumeGiB: env.rootVolumeGiB,
      warmPool: env.warmPool,
      maxInstancesPerScaleOut: env.scaling.maxInstancesPerScaleOut,
      notifications: alarms.topic,
    })
    this.service = new GpuService(this, 'Runner', {
      vpc: network.vpc,
      cluster: this.capacity.cluster,
      capacityProviderName: this.capacity.capacityProvider.capacityProviderName,
      instanceType: env.instanceType,
      repository: props.repository,
      imageTag: env.imageTag,
      containerPort: RUNNER_CONTAINER_PORT,
      runner: {
        modelUri,
        serviceName: runnerServiceName,
        maxBatch: env.runner.maxBatch,
        maxQueue: env.runner.maxQueue,
        ...(env.runner.maxDelaySeconds === undefined
          ? {}
          : { maxDelay: Duration.seconds(env.runner.maxDelaySeconds) }),
        requestTimeout: Duration.seconds(env.runner.requestTimeoutSeconds),
        drainTimeout,
        logLevel: env.runner.logLevel,
        metricsInterval: Duration.seconds(RUNNER_QUEUE_METRIC.intervalSeconds),
      },
      secret: this.endpoint.secret,
      targetGroup: this.endpoint.targetGroup,
      loadBalancer: this.endpoint.loadBalancer,
      startupGracePeriod: coldStart,
      logRetention: env.logRetention,
    })
    grantModelRead(this.service.taskDefinition.taskRole, this.modelBucket, env.modelPrefix)

    const clusterName = this.capacity.cluster.clusterName
    const serviceName = this.service.service.serviceName
    this.scaling = new RunnerScaling(this, 'Scaling', {
      clusterName,
      serviceName,
      runnerServiceName,
      minRunners: env.minRunners,
      maxRunners: env.maxRunners,
      targetQueueDepthPerRunner: env.scaling.targetQueueDepthPerRunner,
      coldStart,
      idleMinutesBeforeZero: env.scaling.idleMinutesBeforeZero,
      loadBalancer: this.endpoint.loadBalancer,
    })
    this.monitoring = new RunnerMonitoring(this, 'Monitoring', {
      dashboardName: `showo-runners-${env.name}`,
      runnerServiceName,
      clusterName,
      serviceName,
      autoScalingGroupName: this.capacity.autoScalingGroup.autoScalingGroupName,
      gpusPerInstance: GPU_INSTANCE_TYPES[env.instanceType].gpus,
      loadBalancer: this.endpoint.loadBalancer,
      targetGroup: this.endpoint.targetGroup,
      targetQueueDepthPerRunner: env.scaling.targetQueueDepthPerRunner,
      coldStart,
      topic: alarms.topic,
    })

    this.addOutputs(modelUri)
  }

  private addOutputs(modelUri: string): void {
    const outputs: Record<string, [string, string]> = {
      RunnerUrl: [this.endpoint.url, 'RUNNER_URL for the edge'],
      RunnerSecretArn: [this.endpoint.secret.secretArn, 'value for the edge secret RUNNER_SECRET'],
      ModelUri: [modelUri, 'RUNNER_MODEL_URI of the runners'],
      ClusterName: [this.capacity.cluster.clusterName, 'ECS cluster'],
      ServiceName: [this.service.service.serviceName, 'ECS service of the runners'],
    }
    for (const [id, [value, description]] of Object.entries(outputs)) {
      new CfnOutput(this, id, { value, description })
    }
  }
}
