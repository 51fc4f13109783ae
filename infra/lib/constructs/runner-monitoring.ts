import { Duration } from 'aws-cdk-lib'
import {
  Alarm,
  AlarmStatusWidget,
  ComparisonOperator,
  Dashboard,
  GraphWidget,
  type HorizontalAnnotation,
  MathExpression,
  Metric,
  TreatMissingData,
  type IMetric,
} from 'aws-cdk-lib/aws-cloudwatch'
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions'
import {
  HttpCodeTarget,
  type IApplicationLoadBalancer,
  type IApplicationTargetGroup,
} from 'aws-cdk-lib/aws-elasticloadbalancingv2'
import type { ITopic } from 'aws-cdk-lib/aws-sns'
import { Construct } from 'constructs'
import { createQueueDepthMetric } from '../runner-queue-metric.ts'

/** Settings of {@link RunnerMonitoring}. */
export interface RunnerMonitoringProps {
  readonly dashboardName: string
  readonly runnerServiceName: string
  readonly clusterName: string
  readonly serviceName: string
  readonly autoScalingGroupName: string
  readonly gpusPerInstance: number
  readonly loadBalancer: IApplicationLoadBalancer
  readonly targetGroup: IApplicationTargetGroup
  readonly targetQueueDepthPerRunner: number
  readonly coldStart: Duration
  /** Receives every alarm transition. */
  readonly topic: ITopic
}

/** p95 end-to-end time at the ALB above which someone should look (warm goal: under 3 s). */
const LATENCY_P95_ALARM = Duration.seconds(10)

/** Alarms on the runner fleet and one dashboard: queue depth, errors, latency, GPUs, runners. */
export class RunnerMonitoring extends Construct {
  readonly alarms: Alarm[]
  readonly dashboard: Dashboard

  constructor(scope: Construct, id: string, props: RunnerMonitoringProps) {
    super(scope, id)
    const lb = props.loadBalancer.metrics
    const tg = props.targetGroup.metrics
    const fiveMinutes = { statistic: 'Sum', period: Duration.minutes(5) }
    const minute = { statistic: 'Sum', period: Duration.minutes(1) }
    const depth = createQueueDepthMetric(props.runnerServiceName)
    const latency = (statistic: string) =>
      tg.targetResponseTime({ statistic, period: Duration.minutes(1) })
    const rejected = lb.custom('HTTPCode_ELB_503_Count', minute)
    const coldMinutes = Math.ceil(props.coldStart.toSeconds() / 60) + 5

    this.alarms = [
      new Alarm(this, 'QueueBacklog', {
        alarmDescription:
          'Runners hold twice the target queue for 10 min: at maxRunners or no GPUs',
        metric: depth,
        threshold: 2 * props.targetQueueDepthPerRunner,
        comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: 10,
        treatMissingData: TreatMissingData.NOT_BREACHING,
      }),
      new Alarm(this, 'RunnerErrors', {
        alarmDescription: 'Runners answered 5xx (generation failures, model not ready)',
        metric: tg.httpCodeTarget(HttpCodeTarget.TARGET_5XX_COUNT, fiveMinutes),
        threshold: 10,
        comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        evaluationPeriods: 1,
        treatMissingData: TreatMissingData.NOT_BREACHING,
      }),
      new Alarm(this, 'GatewayErrors', {
        alarmDescription: 'ALB 502/504: runners crashed, closed connections or timed out',
        metric: new MathExpression({
          expression: 'FILL(e502, 0) + FILL(e504, 0)',
          usingMetrics: {
            e502: lb.custom('HTTPCode_ELB_502_Count', fiveMinutes),
            e504: lb.custom('HTTPCode_ELB_504_Count', fiveMinutes),
          },
          label: 'ALB 502 + 504',
          period: Duration.minutes(5),
        }),
        threshold: 5,
        comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        evaluationPeriods: 1,
        treatMissingData: TreatMissingData.NOT_BREACHING,
      }),
      new Alarm(this, 'SlowResponses', {
        alarmDescription: `p95 response time above ${LATENCY_P95_ALARM.toSeconds()} s`,
        metric: latency('p95'),
        threshold: LATENCY_P95_ALARM.toSeconds(),
        comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: 5,
        datapointsToAlarm: 3,
        treatMissingData: TreatMissingData.NOT_BREACHING,
      }),
      new Alarm(this, 'NoRunnerAvailable', {
        alarmDescription:
          'Requests rejected for longer than a cold start: no runner comes up (image, GPU capacity)',
        metric: rejected,
        threshold: 0.5,
        comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: coldMinutes,
        datapointsToAlarm: coldMinutes,
        treatMissingData: TreatMissingData.NOT_BREACHING,
      }),
    ]
    for (const alarm of this.alarms) {
      alarm.addAlarmAction(new SnsAction(props.topic))
      alarm.addOkAction(new SnsAction(props.topic))
    }
    this.dashboard = this.createDashboard(props, depth, latency)
  }

  private createDashboard(
    props: RunnerMonitoringProps,
    depth: Metric,
    latency: (statistic: string) => IMetric
  ): Dashboard {
    const lb = props.loadBalancer.metrics
    const minute = { statistic: 'Sum', period: Duration.minutes(1) }
    const service = { ClusterName: props.clusterName, ServiceName: props.serviceName }
    const tasks = (metricName: string) =>
      new Metric({ namespace: 'ECS/ContainerInsights', metricName, dimensionsMap: service })
    const inService = new Metric({
      namespace: 'AWS/AutoScaling',
      metricName: 'GroupInServiceInstances',
      dimensionsMap: { AutoScalingGroupName: props.autoScalingGroupName },
      statistic: 'Maximum',
      period: Duration.minutes(1),
    })
    const target: HorizontalAnnotation = {
      value: props.targetQueueDepthPerRunner,
      label: 'scaling target',
    }
    const dashboard = new Dashboard(this, 'Dashboard', { dashboardName: props.dashboardName })
    dashboard.addWidgets(
      new GraphWidget({
        title: 'Queue depth per runner',
        left: [depth, createQueueDepthMetric(props.runnerServiceName, 'Maximum')],
        leftAnnotations: [target],
      }),
      new GraphWidget({
        title: 'Requests and errors',
        left: [lb.requestCount(minute)],
        right: [
          lb.custom('HTTPCode_ELB_5XX_Count', minute),
          props.targetGroup.metrics.httpCodeTarget(HttpCodeTarget.TARGET_5XX_COUNT, minute),
        ],
      })
    )
    dashboard.addWidgets(
      new GraphWidget({
        title: 'Response time (s)',
        left: [latency('p50'), latency('p95'), latency('p99')],
      }),
      new GraphWidget({
        title: 'GPUs and runners',
        left: [
          new MathExpression({
            expression: `inService * ${props.gpusPerInstance}`,
            usingMetrics: { inService },
            label: 'GPUs in service',
            period: Duration.minutes(1),
          }),
          tasks('DesiredTaskCount'),
          tasks('RunningTaskCount'),
        ],
      })
    )
    dashboard.addWidgets(new AlarmStatusWidget({ title: 'Alarms', alarms: this.alarms, width: 24 }))
    return dashboard
  }
}
