import { Duration, Size, Stack, Validations } from 'aws-cdk-lib'
import {
  Peer,
  Port,
  SecurityGroup,
  SubnetType,
  type IConnectable,
  type IVpc,
} from 'aws-cdk-lib/aws-ec2'
import type { IRepository } from 'aws-cdk-lib/aws-ecr'
import {
  AwsLogDriverMode,
  ContainerImage,
  Ec2Service,
  Ec2TaskDefinition,
  LogDrivers,
  NetworkMode,
  PropagatedTagSource,
  Scope,
  Secret as EcsSecret,
  type ContainerDefinition,
  type ICluster,
} from 'aws-cdk-lib/aws-ecs'
import type { IApplicationTargetGroup } from 'aws-cdk-lib/aws-elasticloadbalancingv2'
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs'
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager'
import { Construct } from 'constructs'
import { STOP_MARGIN_SECONDS } from '../../config/check-environment.ts'
import type { GpuInstanceTypeName } from '../../config/gpu-instance-types.ts'
import { GPU_INSTANCE_TYPES } from '../../config/gpu-instance-types.ts'

/** The runner's settings, passed through as its `RUNNER_*` environment. */
export interface RunnerSettings {
  readonly modelUri: string
  readonly serviceName: string
  readonly maxBatch: number
  readonly maxQueue: number
  /** Refuse requests expected to take this much longer than alone; undefined: no such limit. */
  readonly maxDelay?: Duration
  readonly requestTimeout: Duration
  readonly drainTimeout: Duration
  readonly logLevel: string
  readonly metricsInterval: Duration
}

/** Settings of {@link GpuService}. */
export interface GpuServiceProps {
  readonly vpc: IVpc
  readonly cluster: ICluster
  readonly capacityProviderName: string
  readonly instanceType: GpuInstanceTypeName
  readonly repository: IRepository
  readonly imageTag: string
  readonly containerPort: number
  readonly runner: RunnerSettings
  /** The edge→runner HMAC secret, injected as `RUNNER_SECRET` by the ECS agent. */
  readonly secret: ISecret
  readonly targetGroup: IApplicationTargetGroup
  /** Load balancer allowed to reach the tasks on the container port. */
  readonly loadBalancer: IConnectable
  /** Time a new runner gets (download, load, warm-up) before failing health checks count. */
  readonly startupGracePeriod: Duration
  readonly logRetention: RetentionDays
}

/** Where the runner caches the downloaded model inside the container (a per-instance volume). */
export const MODEL_CACHE_PATH = '/var/cache/showo/models'

/**
 * The runner service: one task per GPU on the capacity provider, behind the target group.
 * The task role is created here but gets its S3 grant from the stack, which owns the bucket.
 */
export class GpuService extends Construct {
  readonly taskDefinition: Ec2TaskDefinition
  readonly container: ContainerDefinition
  readonly service: Ec2Service

  constructor(scope: Construct, id: string, props: GpuServiceProps) {
    super(scope, id)
    const spec = GPU_INSTANCE_TYPES[props.instanceType]
    const { runner } = props
    this.taskDefinition = new Ec2TaskDefinition(this, 'Task', {
      // awsvpc gives each runner its own ENI and security group, so only the ALB can reach it.
      networkMode: NetworkMode.AWS_VPC,
    })
    // A Docker volume shared by the tasks on one instance: a replaced runner on the same
    // instance finds the model already downloaded. Docker seeds a new named volume from the
    // image's directory, so it keeps the non-root owner the Dockerfile gives that directory.
    this.taskDefinition.addVolume({
      name: 'model-cache',
      dockerVolumeConfiguration: { scope: Scope.SHARED, autoprovision: true, driver: 'local' },
    })
    const logGroup = new LogGroup(this, 'Logs', { retention: props.logRetention })
    this.container = this.taskDefinition.addContainer('runner', {
      image: ContainerImage.fromEcrRepository(props.repository, props.imageTag),
      gpuCount: 1,
      cpu: (spec.vcpus - 1) * 1024,
      // Leave room for the OS and the ECS agent; the soft limit is what placement reserves.
      memoryReservationMiB: Math.floor(spec.memoryMiB * 0.75),
      memoryLimitMiB: spec.memoryMiB - 1536,
      portMappings: [{ containerPort: props.containerPort }],
      environment: {
        RUNNER_ENV: 'production',
        RUNNER_PORT: String(props.containerPort),
        RUNNER_MODEL_URI: runner.modelUri,
        RUNNER_CACHE_DIR: MODEL_CACHE_PATH,
        RUNNER_EP: 'cuda',
        RUNNER_S3_REGION: Stack.of(this).region,
        RUNNER_MAX_BATCH: String(runner.maxBatch),
        RUNNER_MAX_QUEUE: String(runner.maxQueue),
        ...(runner.maxDelay
          ? { RUNNER_MAX_DELAY_MS: String(runner.maxDelay.toMilliseconds()) }
          : {}),
        RUNNER_REQUEST_TIMEOUT_MS: String(runner.requestTimeout.toMilliseconds()),
        RUNNER_DRAIN_TIMEOUT_MS: String(runner.drainTimeout.toMilliseconds()),
        RUNNER_LOG_LEVEL: runner.logLevel,
        RUNNER_SERVICE_NAME: runner.serviceName,
        RUNNER_METRICS_INTERVAL_MS: String(runner.metricsInterval.toMilliseconds()),
      },
      secrets: { RUNNER_SECRET: EcsSecret.fromSecretsManager(props.secret) },
      // SIGKILL comes only after the runner's own drain deadline plus time to exit.
      stopTimeout: runner.drainTimeout.plus(Duration.seconds(STOP_MARGIN_SECONDS)),
      logging: LogDrivers.awsLogs({
        logGroup,
        streamPrefix: 'runner',
        // A CloudWatch Logs hiccup must not block stdout writes on the event loop.
        mode: AwsLogDriverMode.NON_BLOCKING,
        maxBufferSize: Size.mebibytes(25),
      }),
    })
    this.container.addMountPoints({
      sourceVolume: 'model-cache',
      containerPath: MODEL_CACHE_PATH,
      readOnly: false,
    })

    const securityGroup = new SecurityGroup(this, 'SecurityGroup', {
      vpc: props.vpc,
      description: 'Runner tasks: ingress from the load balancer, egress HTTPS (S3) only',
      allowAllOutbound: false,
    })
    securityGroup.addEgressRule(
      Peer.anyIpv4(),
      Port.tcp(443),
      'model download from S3 (through the gateway endpoint)'
    )
    this.service = new Ec2Service(this, 'Service', {
      cluster: props.cluster,
      taskDefinition: this.taskDefinition,
      capacityProviderStrategies: [{ capacityProvider: props.capacityProviderName, weight: 1 }],
      vpcSubnets: { subnetType: SubnetType.PRIVATE_WITH_EGRESS },
      securityGroups: [securityGroup],
      // No desiredCount: CloudFormation would reset the autoscaled count on every deploy.
      minHealthyPercent: 100,
      maxHealthyPercent: 200,
      circuitBreaker: { enable: true, rollback: true },
      healthCheckGracePeriod: props.startupGracePeriod,
      propagateTags: PropagatedTagSource.SERVICE,
      enableECSManagedTags: true,
    })
    this.service.attachToApplicationTargetGroup(props.targetGroup)
    this.service.connections.allowFrom(props.loadBalancer, Port.tcp(props.containerPort))

    Validations.of(this.taskDefinition).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'Execution role: ecr:GetAuthorizationToken has no resource-level permissions. Image ' +
        'pulls, logs and the secret read are each scoped to their one resource.',
    })
    Validations.of(this.taskDefinition).acknowledge({
      id: 'AwsSolutions-ECS2',
      reason:
        'The environment carries only non-secret settings derived from the typed environment ' +
        'config; the one secret, RUNNER_SECRET, is injected from Secrets Manager.',
    })
  }
}
