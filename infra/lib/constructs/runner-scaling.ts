import { Duration, Stack } from 'aws-cdk-lib'
import {
  AdjustmentType,
  MetricAggregationType,
  ScalableTarget,
  ServiceNamespace,
  StepScalingAction,
} from 'aws-cdk-lib/aws-applicationautoscaling'
import {
  Alarm,
  ComparisonOperator,
  MathExpression,
  Metric,
  TreatMissingData,
} from 'aws-cdk-lib/aws-cloudwatch'
import { ApplicationScalingAction } from 'aws-cdk-lib/aws-cloudwatch-actions'
import type { IApplicationLoadBalancer } from 'aws-cdk-lib/aws-elasticloadbalancingv2'
import { Role } from 'aws-cdk-lib/aws-iam'
import { Construct } from 'constructs'
import { createQueueDepthMetric } from '../runner-queue-metric.ts'

/** Settings of {@link RunnerScaling}. */
export interface RunnerScalingProps {
  readonly clusterName: string
  readonly serviceName: string
  /** The runners' metrics dimension value (`RUNNER_SERVICE_NAME`). */
  readonly runnerServiceName: string
  readonly minRunners: number
  readonly maxRunners: number
  readonly targetQueueDepthPerRunner: number
  /** Worst time for a new runner to become ready: the wake-up policy's cooldown. */
  readonly coldStart: Duration
  /** With minRunners 0: minutes without any request before the fleet returns to zero. */
  readonly idleMinutesBeforeZero: number
  readonly loadBalancer: IApplicationLoadBalancer
}

/**
 * Service autoscaling of the runner count.
 *
 * - Target tracking keeps the average queue depth per runner (the runners' EMF metric) at the
 *   target, between minRunners and maxRunners.
 * - With minRunners 0, two step policies handle zero, where target tracking is blind (no runner,
 *   no metric): requests answered 503 by the ALB while the desired count is 0 add one runner,
 *   and a whole idle window without a single request sets the count back to zero.
 */
export class RunnerScaling extends Construct {
  readonly target: ScalableTarget
  /** Present when minRunners is 0. */
  readonly wakeAlarm?: Alarm
  /** Present when minRunners is 0. */
  readonly idleAlarm?: Alarm

  constructor(scope: Construct, id: string, props: RunnerScalingProps) {
    super(scope, id)
    this.target = new ScalableTarget(this, 'TaskCount', {
      serviceNamespace: ServiceNamespace.ECS,
      resourceId: `service/${props.clusterName}/${props.serviceName}`,
      scalableDimension: 'ecs:service:DesiredCount',
      minCapacity: props.minRunners,
      maxCapacity: props.maxRunners,
      // ECS's service-linked role, as `service.autoScaleTaskCount()` uses: a fresh role would
      // have no permission to change the desired count.
      role: Role.fromRoleArn(
        this,
        'ScalingRole',
        Stack.of(this).formatArn({
          region: '',
          service: 'iam',
          resource: 'role/aws-service-role/ecs.application-autoscaling.amazonaws.com',
          resourceName: 'AWSServiceRoleForApplicationAutoScaling_ECSService',
        })
      ),
    })
    this.target.scaleToTrackMetric('QueueDepthTracking', {
      customMetric: createQueueDepthMetric(props.runnerServiceName),
      targetValue: props.targetQueueDepthPerRunner,
      // Short enough to follow a burst, long enough for the added runners to start pulling work.
      scaleOutCooldown: Duration.minutes(2),
      scaleInCooldown: Duration.minutes(5),
    })
    if (props.minRunners === 0) {
      this.wakeAlarm = this.addWakeFromZero(props)
      this.idleAlarm = this.addIdleToZero(props)
    }
  }

  /**
   * 0 → 1. With no registered target the ALB answers 503 itself, so `HTTPCode_ELB_503_Count`
   * is the only trace of demand. The desired count (Container Insights) gates it, so 503s seen
   * while a runner is already on its way do not add a second one; a missing value counts as 0.
   */
  private addWakeFromZero(props: RunnerScalingProps): Alarm {
    const rejected = props.loadBalancer.metrics.custom('HTTPCode_ELB_503_Count', {
      statistic: 'Sum',
      period: Duration.minutes(1),
    })
    const desired = new Metric({
      namespace: 'ECS/ContainerInsights',
      metricName: 'DesiredTaskCount',
      dimensionsMap: { ClusterName: props.clusterName, ServiceName: props.serviceName },
      statistic: 'Maximum',
      period: Duration.minutes(1),
    })
    const alarm = new Alarm(this, 'WakeAlarm', {
      alarmDescription: 'Requests are rejected with no runner desired: start one',
      metric: new MathExpression({
        expression: 'IF(FILL(desired, 0) < 1, FILL(rejected, 0), 0)',
        usingMetrics: { rejected, desired },
        label: 'Rejected requests while scaled to zero',
        period: Duration.minutes(1),
      }),
      // Counts are whole numbers: > 0.5 means "at least one".
      threshold: 0.5,
      comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    })
    const action = new StepScalingAction(this, 'WakeAction', {
      scalingTarget: this.target,
      adjustmentType: AdjustmentType.CHANGE_IN_CAPACITY,
      metricAggregationType: MetricAggregationType.MAXIMUM,
      // The alarm keeps firing while the instance boots; one cold start must not add a second.
      cooldown: props.coldStart,
    })
    action.addAdjustment({ adjustment: 1, lowerBound: 0 })
    alarm.addAlarmAction(new ApplicationScalingAction(action))
    return alarm
  }

  /**
   * N → 0 after a full idle window: no request reached a runner and none was rejected. The
   * rejected ones count as traffic so the request that woke the fleet keeps it up while the
   * first runner starts. No data at all means no traffic, hence BREACHING.
   */
  private addIdleToZero(props: RunnerScalingProps): Alarm {
    const minute = { statistic: 'Sum', period: Duration.minutes(1) }
    const served = props.loadBalancer.metrics.requestCount(minute)
    const rejected = props.loadBalancer.metrics.custom('HTTPCode_ELB_5XX_Count', minute)
    const minutes = props.idleMinutesBeforeZero
    const alarm = new Alarm(this, 'IdleAlarm', {
      alarmDescription: `No request for ${minutes} minutes: scale the runners to zero`,
      metric: new MathExpression({
        expression: 'FILL(served, 0) + FILL(rejected, 0)',
        usingMetrics: { served, rejected },
        label: 'Requests (served + rejected)',
        period: Duration.minutes(1),
      }),
      threshold: 0.5,
      comparisonOperator: ComparisonOperator.LESS_THAN_THRESHOLD,
      evaluationPeriods: minutes,
      datapointsToAlarm: minutes,
      treatMissingData: TreatMissingData.BREACHING,
    })
    const action = new StepScalingAction(this, 'IdleAction', {
      scalingTarget: this.target,
      adjustmentType: AdjustmentType.EXACT_CAPACITY,
      metricAggregationType: MetricAggregationType.MAXIMUM,
    })
    action.addAdjustment({ adjustment: 0, upperBound: 0 })
    alarm.addAlarmAction(new ApplicationScalingAction(action))
    return alarm
  }
}
