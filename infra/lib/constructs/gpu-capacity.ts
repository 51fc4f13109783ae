import { Duration, Validations } from 'aws-cdk-lib'
import { AutoScalingGroup, GroupMetrics, PoolState } from 'aws-cdk-lib/aws-autoscaling'
import {
  BlockDeviceVolume,
  EbsDeviceVolumeType,
  InstanceType,
  LaunchTemplate,
  SecurityGroup,
  SubnetType,
  UserData,
  type IVpc,
} from 'aws-cdk-lib/aws-ec2'
import {
  AmiHardwareType,
  AsgCapacityProvider,
  Cluster,
  ContainerInsights,
  EcsOptimizedImage,
  MachineImageType,
} from 'aws-cdk-lib/aws-ecs'
import { Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam'
import type { ITopic } from 'aws-cdk-lib/aws-sns'
import { Construct } from 'constructs'
import type { GpuInstanceTypeName } from '../../config/gpu-instance-types.ts'
import { GPU_INSTANCE_TYPES } from '../../config/gpu-instance-types.ts'

/** Settings of {@link GpuCapacity}. */
export interface GpuCapacityProps {
  readonly vpc: IVpc
  readonly instanceType: GpuInstanceTypeName
  /** Runners the service may run at most; the group holds enough instances for their GPUs. */
  readonly maxRunners: number
  readonly rootVolumeGiB: number
  readonly warmPool: boolean
  /** Upper bound on instances launched in one managed-scaling step. */
  readonly maxInstancesPerScaleOut: number
  /** Receives launch and terminate errors (e.g. no GPU capacity in the zone). */
  readonly notifications: ITopic
}

/**
 * The ECS cluster and its GPU capacity: an Auto Scaling group of ECS GPU-optimised instances
 * behind a capacity provider with managed scaling, so ECS adds instances when runner tasks
 * cannot be placed and removes empty ones. The group may shrink to zero instances.
 */
export class GpuCapacity extends Construct {
  readonly cluster: Cluster
  readonly autoScalingGroup: AutoScalingGroup
  readonly capacityProvider: AsgCapacityProvider

  constructor(scope: Construct, id: string, props: GpuCapacityProps) {
    super(scope, id)
    const spec = GPU_INSTANCE_TYPES[props.instanceType]
    this.cluster = new Cluster(this, 'Cluster', {
      vpc: props.vpc,
      containerInsightsV2: ContainerInsights.ENABLED,
    })

    const role = new Role(this, 'InstanceRole', {
      assumedBy: new ServicePrincipal('ec2.amazonaws.com'),
      description: 'ECS container agent on the GPU instances',
    })
    const userData = UserData.forLinux()
    userData.addCommands(
      // The GPU AMI enables this already; stating it keeps a custom AMI from silently losing GPUs.
      'echo ECS_ENABLE_GPU_SUPPORT=true >> /etc/ecs/ecs.config',
      // Tasks must use their task role, never the instance role behind the metadata service.
      'echo ECS_AWSVPC_BLOCK_IMDS=true >> /etc/ecs/ecs.config',
      // Image tags are immutable, so a cached image is always the right one: skip the re-pull.
      'echo ECS_IMAGE_PULL_BEHAVIOR=prefer-cached >> /etc/ecs/ecs.config',
      // Instances warming up for the pool must not register and receive tasks.
      ...(props.warmPool ? ['echo ECS_WARM_POOLS_CHECK=true >> /etc/ecs/ecs.config'] : [])
    )
    const launchTemplate = new LaunchTemplate(this, 'LaunchTemplate', {
      // Resolved from the public SSM parameter at deploy time, so synth needs no AWS access.
      machineImage: EcsOptimizedImage.amazonLinux2(AmiHardwareType.GPU),
      instanceType: new InstanceType(props.instanceType),
      role,
      userData,
      requireImdsv2: true,
      httpPutResponseHopLimit: 1,
      securityGroup: new SecurityGroup(this, 'InstanceSecurityGroup', {
        vpc: props.vpc,
        description: 'GPU instances: no ingress (tasks have their own ENIs), egress for ECS/ECR',
        allowAllOutbound: true,
      }),
      blockDevices: [
        {
          deviceName: '/dev/xvda',
          volume: BlockDeviceVolume.ebs(props.rootVolumeGiB, {
            encrypted: true,
            volumeType: EbsDeviceVolumeType.GP3,
          }),
        },
      ],
    })

    this.autoScalingGroup = new AutoScalingGroup(this, 'Instances', {
      vpc: props.vpc,
      vpcSubnets: { subnetType: SubnetType.PRIVATE_WITH_EGRESS },
      launchTemplate,
      minCapacity: 0,
      maxCapacity: Math.ceil(props.maxRunners / spec.gpus),
      groupMetrics: [GroupMetrics.all()],
      notifications: [{ topic: props.notifications }],
      defaultInstanceWarmup: Duration.minutes(5),
    })
    if (props.warmPool) {
      this.autoScalingGroup.addWarmPool({ poolState: PoolState.STOPPED, minSize: 0 })
    }

    this.capacityProvider = new AsgCapacityProvider(this, 'CapacityProvider', {
      autoScalingGroup: this.autoScalingGroup,
      machineImageType: MachineImageType.AMAZON_LINUX_2,
      enableManagedScaling: true,
      // GPUs are the cost: no idle spare instances, a task waits for its instance instead.
      targetCapacityPercent: 100,
      minimumScalingStepSize: 1,
      maximumScalingStepSize: props.maxInstancesPerScaleOut,
      instanceWarmupPeriod: 300,
      enableManagedTerminationProtection: true,
      enableManagedDraining: true,
    })
    this.cluster.addAsgCapacityProvider(this.capacityProvider)
    this.cluster.addDefaultCapacityProviderStrategy([
      { capacityProvider: this.capacityProvider.capacityProviderName, weight: 1 },
    ])

    Validations.of(role).acknowledge({
      id: 'AwsSolutions-IAM5[Action::ecs:Submit*]',
      reason:
        'Added by CDK for the ECS container agent (state-change reports) and limited to this ' +
        'cluster ARN.',
    })
    Validations.of(role).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'Added by CDK for the ECS container agent: ecs:DiscoverPollEndpoint and ' +
        'ecr:GetAuthorizationToken support no resource scoping, ecs:Poll is conditioned on ' +
        'this cluster, and the agent needs logs:CreateLogStream/PutLogEvents for task logs.',
    })
  }
}
