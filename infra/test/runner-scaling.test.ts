import { Match } from 'aws-cdk-lib/assertions'
import { beforeAll, describe, expect, it } from 'vitest'
import { DEV, PROD } from '../config/environments.ts'
import { RUNNER_QUEUE_METRIC } from '../lib/runner-queue-metric.ts'
import { synthEnvironment, type SynthesizedEnvironment } from './synth-environment.ts'

const SCALING_POLICY = 'AWS::ApplicationAutoScaling::ScalingPolicy'

function policyOf(env: SynthesizedEnvironment, type: string): [string, Record<string, unknown>][] {
  return Object.entries(env.template.findResources(SCALING_POLICY))
    .map(([id, r]) => [id, (r as { Properties: Record<string, unknown> }).Properties] as const)
    .filter(([, p]) => p.PolicyType === type)
    .map(([id, p]) => [id, p])
}

describe('runner autoscaling', () => {
  let dev: SynthesizedEnvironment
  let prod: SynthesizedEnvironment
  beforeAll(() => {
    dev = synthEnvironment(DEV)
    prod = synthEnvironment(PROD)
  })

  it('scales the service between minRunners and maxRunners with the ECS service-linked role', () => {
    expect(dev.template).toHaveResourceProperties('AWS::ApplicationAutoScaling::ScalableTarget', {
      MinCapacity: 0,
      MaxCapacity: DEV.maxRunners,
      ScalableDimension: 'ecs:service:DesiredCount',
      ServiceNamespace: 'ecs',
      RoleARN: Match.objectLike({
        'Fn::Join': Match.arrayWith([
          Match.arrayWith([
            Match.stringLikeRegexp('AWSServiceRoleForApplicationAutoScaling_ECSService'),
          ]),
        ]),
      }),
    })
    expect(prod.template).toHaveResourceProperties('AWS::ApplicationAutoScaling::ScalableTarget', {
      MinCapacity: 1,
      MaxCapacity: PROD.maxRunners,
    })
  })

  it('tracks the runners’ EMF queue depth per runner', () => {
    expect(RUNNER_QUEUE_METRIC).toMatchObject({
      namespace: 'ShowoRunner',
      metricName: 'QueueDepth',
      dimension: 'Service',
    })
    expect(dev.template).toHaveResourceProperties(SCALING_POLICY, {
      PolicyType: 'TargetTrackingScaling',
      TargetTrackingScalingPolicyConfiguration: {
        TargetValue: DEV.scaling.targetQueueDepthPerRunner,
        CustomizedMetricSpecification: {
          Namespace: 'ShowoRunner',
          MetricName: 'QueueDepth',
          Dimensions: [{ Name: 'Service', Value: 'showo-runner-dev' }],
          Statistic: 'Average',
        },
      },
    })
  })

  it('wakes from zero: ALB 503s while nothing is desired add one runner', () => {
    const [[wakeId, wake]] = policyOf(dev, 'StepScaling').filter(([, p]) =>
      JSON.stringify(p).includes('ChangeInCapacity')
    ) as [[string, Record<string, unknown>]]
    expect(wake.StepScalingPolicyConfiguration).toEqual({
      AdjustmentType: 'ChangeInCapacity',
      Cooldown: DEV.scaling.coldStartSeconds,
      MetricAggregationType: 'Maximum',
      StepAdjustments: [{ MetricIntervalLowerBound: 0, ScalingAdjustment: 1 }],
    })
    expect(dev.template).toHaveResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmActions: [{ Ref: wakeId }],
      ComparisonOperator: 'GreaterThanThreshold',
      Threshold: 0.5,
      EvaluationPeriods: 1,
      TreatMissingData: 'notBreaching',
      Metrics: Match.arrayWith([
        Match.objectLike({ Expression: 'IF(FILL(desired, 0) < 1, FILL(rejected, 0), 0)' }),
        Match.objectLike({
          Id: 'rejected',
          MetricStat: Match.objectLike({
            Metric: Match.objectLike({ MetricName: 'HTTPCode_ELB_503_Count' }),
            Stat: 'Sum',
          }),
        }),
        Match.objectLike({
          Id: 'desired',
          MetricStat: Match.objectLike({
            Metric: Match.objectLike({
              Namespace: 'ECS/ContainerInsights',
              MetricName: 'DesiredTaskCount',
            }),
          }),
        }),
      ]),
    })
  })

  it('goes back to zero after the idle window with no request at all', () => {
    const [[idleId, idle]] = policyOf(dev, 'StepScaling').filter(([, p]) =>
      JSON.stringify(p).includes('ExactCapacity')
    ) as [[string, Record<string, unknown>]]
    expect(idle.StepScalingPolicyConfiguration).toMatchObject({
      AdjustmentType: 'ExactCapacity',
      StepAdjustments: [{ MetricIntervalUpperBound: 0, ScalingAdjustment: 0 }],
    })
    expect(dev.template).toHaveResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmActions: [{ Ref: idleId }],
      ComparisonOperator: 'LessThanThreshold',
      EvaluationPeriods: DEV.scaling.idleMinutesBeforeZero,
      DatapointsToAlarm: DEV.scaling.idleMinutesBeforeZero,
      TreatMissingData: 'breaching',
      Metrics: Match.arrayWith([
        Match.objectLike({ Expression: 'FILL(served, 0) + FILL(rejected, 0)' }),
      ]),
    })
  })

  it('needs no zero-crossing policies where the fleet never reaches zero', () => {
    expect(policyOf(prod, 'TargetTrackingScaling')).toHaveLength(1)
    expect(policyOf(prod, 'StepScaling')).toEqual([])
  })
})
