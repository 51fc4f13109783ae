import { beforeAll, describe, expect, it } from 'vitest'
import { DEV } from '../config/environments.ts'
import { onlyResource, synthEnvironment, type SynthesizedEnvironment } from './synth-environment.ts'

describe('runner monitoring', () => {
  let dev: SynthesizedEnvironment
  beforeAll(() => {
    dev = synthEnvironment({ ...DEV, alarmEmail: 'oncall@example.com' })
  })

  it('sends every fleet alarm to the alarm topic, which mails the configured address', () => {
    const topic = onlyResource(dev.template, 'AWS::SNS::Topic')
    const notifying = Object.values(dev.template.findResources('AWS::CloudWatch::Alarm')).filter(
      (alarm) => {
        const { AlarmActions, OKActions } = (alarm as { Properties: Record<string, unknown> })
          .Properties
        const toTopic = [{ Ref: topic.id }]
        return (
          JSON.stringify(AlarmActions) === JSON.stringify(toTopic) &&
          JSON.stringify(OKActions) === JSON.stringify(toTopic)
        )
      }
    )
    expect(notifying).toHaveLength(dev.stack.monitoring.alarms.length)
    expect(dev.template).toHaveResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'email',
      Endpoint: 'oncall@example.com',
    })
  })

  it('alarms on backlog, runner errors, gateway errors, latency and a fleet that never wakes', () => {
    const descriptions = dev.stack.monitoring.alarms.map((a) => a.node.id)
    expect(descriptions).toEqual([
      'QueueBacklog',
      'RunnerErrors',
      'GatewayErrors',
      'SlowResponses',
      'NoRunnerAvailable',
    ])
    expect(dev.template).toHaveResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'QueueDepth',
      Namespace: 'ShowoRunner',
      Threshold: 2 * DEV.scaling.targetQueueDepthPerRunner,
    })
    expect(dev.template).toHaveResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'HTTPCode_ELB_503_Count',
      EvaluationPeriods: DEV.scaling.coldStartSeconds / 60 + 5,
    })
  })

  it('draws queue depth, errors, latency and GPU count on one dashboard', () => {
    const { properties } = onlyResource(dev.template, 'AWS::CloudWatch::Dashboard')
    const body = JSON.stringify(properties.DashboardBody)
    for (const title of [
      'Queue depth per runner',
      'Requests and errors',
      'Response time (s)',
      'GPUs in service',
    ]) {
      expect(body).toContain(title)
    }
    expect(properties.DashboardName).toBe('showo-runners-dev')
  })
})
