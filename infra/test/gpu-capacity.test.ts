import { Match } from 'aws-cdk-lib/assertions'
import { beforeAll, describe, expect, it } from 'vitest'
import { DEV, PROD } from '../config/environments.ts'
import {
  onlyResource,
  synthEnvironment,
  templateJson,
  type SynthesizedEnvironment,
} from './synth-environment.ts'

const GPU_AMI_PARAMETER = '/aws/service/ecs/optimized-ami/amazon-linux-2/gpu/recommended/image_id'

describe('GPU capacity', () => {
  let dev: SynthesizedEnvironment
  let prod: SynthesizedEnvironment
  beforeAll(() => {
    dev = synthEnvironment(DEV)
    prod = synthEnvironment(PROD)
  })

  it('runs a capacity provider with managed scaling, draining and termination protection', () => {
    expect(dev.template).toHaveResourceProperties('AWS::ECS::CapacityProvider', {
      AutoScalingGroupProvider: {
        ManagedScaling: {
          Status: 'ENABLED',
          TargetCapacity: 100,
          MinimumScalingStepSize: 1,
          MaximumScalingStepSize: DEV.scaling.maxInstancesPerScaleOut,
          InstanceWarmupPeriod: 300,
        },
        ManagedTerminationProtection: 'ENABLED',
        ManagedDraining: 'ENABLED',
      },
    })
  })

  it('makes the capacity provider the cluster default', () => {
    const provider = onlyResource(dev.template, 'AWS::ECS::CapacityProvider')
    expect(dev.template).toHaveResourceProperties('AWS::ECS::ClusterCapacityProviderAssociations', {
      CapacityProviders: [{ Ref: provider.id }],
      DefaultCapacityProviderStrategy: [{ CapacityProvider: { Ref: provider.id }, Weight: 1 }],
    })
  })

  it('launches ECS GPU-optimised instances, resolved from SSM at deploy time', () => {
    const { properties } = onlyResource(dev.template, 'AWS::EC2::LaunchTemplate')
    const data = properties.LaunchTemplateData as { ImageId: { Ref: string } }
    expect(templateJson(dev.template).Parameters[data.ImageId.Ref]).toEqual({
      Type: 'AWS::SSM::Parameter::Value<AWS::EC2::Image::Id>',
      Default: GPU_AMI_PARAMETER,
    })
    expect(properties.LaunchTemplateData).toMatchObject({
      InstanceType: 'g6.xlarge',
      MetadataOptions: { HttpTokens: 'required', HttpPutResponseHopLimit: 1 },
      BlockDeviceMappings: [
        { DeviceName: '/dev/xvda', Ebs: { Encrypted: true, VolumeSize: 100, VolumeType: 'gp3' } },
      ],
    })
  })

  it('configures the ECS agent for GPUs, IMDS blocking and the cluster', () => {
    const { properties } = onlyResource(dev.template, 'AWS::EC2::LaunchTemplate')
    const userData = JSON.stringify(properties.LaunchTemplateData)
    for (const line of [
      'ECS_ENABLE_GPU_SUPPORT=true',
      'ECS_AWSVPC_BLOCK_IMDS=true',
      'ECS_IMAGE_PULL_BEHAVIOR=prefer-cached',
      'echo ECS_CLUSTER=',
    ]) {
      expect(userData).toContain(line)
    }
    expect(userData).not.toContain('ECS_WARM_POOLS_CHECK')
  })

  it('lets the group shrink to zero and grow to one instance per runner', () => {
    expect(dev.template).toHaveResourceProperties('AWS::AutoScaling::AutoScalingGroup', {
      MinSize: '0',
      MaxSize: String(DEV.maxRunners),
      NewInstancesProtectedFromScaleIn: true,
      NotificationConfigurations: [
        Match.objectLike({
          NotificationTypes: Match.arrayWith(['autoscaling:EC2_INSTANCE_LAUNCH_ERROR']),
        }),
      ],
    })
    expect(dev.template).toHaveResourceProperties('AWS::EC2::LaunchTemplate', {
      LaunchTemplateData: Match.objectLike({ InstanceType: Match.stringLikeRegexp('^g[56]\\.') }),
    })
  })

  it('keeps a stopped warm pool only where configured, with the ECS warm-pool check', () => {
    expect(dev.template).toHaveResourceCount('AWS::AutoScaling::WarmPool', 0)
    expect(prod.template).toHaveResourceProperties('AWS::AutoScaling::WarmPool', {
      PoolState: 'Stopped',
      MinSize: 0,
    })
    const { properties } = onlyResource(prod.template, 'AWS::EC2::LaunchTemplate')
    expect(JSON.stringify(properties)).toContain('ECS_WARM_POOLS_CHECK=true')
  })
})
