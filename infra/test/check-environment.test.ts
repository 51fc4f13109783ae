import { describe, expect, it } from 'vitest'
import { checkEnvironment, EnvironmentConfigError } from '../config/check-environment.ts'
import { DEV, ENVIRONMENTS, PROD, type RunnerEnvironment } from '../config/environments.ts'
import { createShowoApp } from '../lib/showo-app.ts'
import { testEnvironment } from './synth-environment.ts'

function problemsOf(env: RunnerEnvironment): readonly string[] {
  try {
    checkEnvironment(env)
  } catch (error) {
    if (error instanceof EnvironmentConfigError) {
      return error.problems
    }
    throw error
  }
  return []
}

describe('checkEnvironment', () => {
  it('accepts every shipped environment', () => {
    expect(ENVIRONMENTS.map((env) => [env.name, problemsOf(env)])).toEqual([
      ['dev', []],
      ['prod', []],
    ])
  })

  it('refuses minRunners above maxRunners, naming both values', () => {
    expect(problemsOf(testEnvironment({ minRunners: 3, maxRunners: 2 }))).toEqual([
      'minRunners (3) must not exceed maxRunners (2)',
    ])
  })

  it('lists every problem at once, under the environment name', () => {
    const env = testEnvironment({ maxRunners: 0, imageTag: 'latest' })
    expect(() => {
      checkEnvironment(env)
    }).toThrow(/invalid runner environment 'test':\n {2}maxRunners: .*\n {2}imageTag: 'latest'/)
  })

  it('refuses plain HTTP open to the internet', () => {
    const env = testEnvironment({ endpoint: { allowedIngressCidrs: ['0.0.0.0/0'] } })
    expect(problemsOf(env)).toEqual([expect.stringMatching(/opens plain HTTP to the internet/)])
  })

  it('allows an open listener once TLS is configured', () => {
    const env = testEnvironment({
      endpoint: { tls: PROD.endpoint.tls, allowedIngressCidrs: ['0.0.0.0/0'] },
    })
    expect(problemsOf(env)).toEqual([])
  })

  it('refuses a certificate from another region', () => {
    const tls = {
      domainName: 'runner.example.com',
      certificateArn:
        'arn:aws:acm:eu-west-1:111122223333:certificate/00000000-0000-0000-0000-000000000000',
    }
    const env = testEnvironment({ endpoint: { tls, allowedIngressCidrs: ['0.0.0.0/0'] } })
    expect(problemsOf(env)).toEqual([
      expect.stringMatching(/not an ACM certificate ARN in us-east-1/),
    ])
  })

  it('refuses a drain deadline that ECS would cut short with SIGKILL', () => {
    const env = testEnvironment({ runner: { ...DEV.runner, drainTimeoutSeconds: 115 } })
    expect(problemsOf(env)).toEqual([expect.stringMatching(/drainTimeoutSeconds: must be 5-110/)])
  })

  it('refuses a delay limit that is not below the request timeout', () => {
    const env = testEnvironment({ runner: { ...DEV.runner, maxDelaySeconds: 60 } })
    expect(problemsOf(env)).toEqual([expect.stringMatching(/^runner.maxDelaySeconds: must be/)])
  })

  it('refuses an idle window shorter than a cold start', () => {
    const env = testEnvironment({
      scaling: { ...DEV.scaling, coldStartSeconds: 900, idleMinutesBeforeZero: 10 },
    })
    expect(problemsOf(env)).toEqual([expect.stringMatching(/idleMinutesBeforeZero: must be 20-/)])
  })

  it('refuses zones outside the region and a single-zone layout', () => {
    const env = testEnvironment({ availabilityZones: ['eu-west-1a'] })
    expect(problemsOf(env)).toEqual([
      'availabilityZones: the load balancer needs at least two distinct zones',
      "availabilityZones: 'eu-west-1a' is not a zone of us-east-1",
    ])
  })

  it('refuses a model prefix with a leading slash or parent segment', () => {
    expect(problemsOf(testEnvironment({ modelPrefix: '/models/a' }))).toHaveLength(1)
    expect(problemsOf(testEnvironment({ modelPrefix: 'models/../secrets' }))).toHaveLength(1)
  })

  it('refuses a bucket name S3 would reject or that breaks TLS', () => {
    for (const modelBucketName of ['Showo-Models', 'showo.models.dev', 'ab', 'xn--models']) {
      expect(problemsOf(testEnvironment({ modelBucketName }))).toEqual([
        expect.stringMatching(/^modelBucketName: /),
      ])
    }
  })

  it('stops createShowoApp before any stack is built', () => {
    const env = testEnvironment({ minRunners: 5, maxRunners: 1 })
    expect(() => createShowoApp({ environments: [env] })).toThrow(EnvironmentConfigError)
  })
})
