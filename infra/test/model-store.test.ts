import { Match } from 'aws-cdk-lib/assertions'
import { beforeAll, describe, expect, it } from 'vitest'
import { DEV } from '../config/environments.ts'
import {
  onlyResource,
  synthEnvironment,
  templateJson,
  type SynthesizedEnvironment,
} from './synth-environment.ts'

interface Policy {
  Properties: { Roles: { Ref: string }[]; PolicyDocument: { Statement: unknown[] } }
}

function policies(env: SynthesizedEnvironment): Policy[] {
  return Object.values(env.template.findResources('AWS::IAM::Policy')) as Policy[]
}

function roleIdOf(env: SynthesizedEnvironment, prefix: string): string {
  const ids = Object.keys(env.template.findResources('AWS::IAM::Role')).filter((id) =>
    id.startsWith(prefix)
  )
  if (ids.length !== 1) {
    throw new Error(`expected one role named ${prefix}*, found ${ids.join(', ')}`)
  }
  return ids[0] ?? ''
}

function statementsOf(env: SynthesizedEnvironment, roleId: string): unknown[] {
  return policies(env)
    .filter((p) => p.Properties.Roles.some((r) => r.Ref === roleId))
    .flatMap((p) => p.Properties.PolicyDocument.Statement)
}

describe('model bucket and least-privilege grants', () => {
  let dev: SynthesizedEnvironment
  beforeAll(() => {
    dev = synthEnvironment(DEV)
  })

  it('encrypts the model bucket, blocks all public access, versions and logs it', () => {
    const buckets = Object.values(templateJson(dev.artifacts).Resources).filter(
      (r) => r.Type === 'AWS::S3::Bucket' && r.Properties.BucketName === DEV.modelBucketName
    )
    expect(buckets).toHaveLength(1)
    expect(buckets[0]?.Properties).toMatchObject({
      BucketEncryption: {
        ServerSideEncryptionConfiguration: [
          { ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } },
        ],
      },
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      },
      VersioningConfiguration: { Status: 'Enabled' },
      LoggingConfiguration: { LogFilePrefix: 'model-bucket/' },
    })
  })

  it('refuses non-TLS requests to every bucket of both stacks', () => {
    // Artifacts: the model bucket and its access-log bucket. Runner: the ALB/flow-log bucket.
    const expected = [
      [dev.artifacts, 2],
      [dev.template, 1],
    ] as const
    for (const [template, count] of expected) {
      expect(template).toHaveResourceCount('AWS::S3::BucketPolicy', count)
      expect(template).toHaveOnlyResourcesWithProperties('AWS::S3::BucketPolicy', {
        PolicyDocument: {
          Statement: Match.arrayWith([
            Match.objectLike({
              Effect: 'Deny',
              Condition: { Bool: { 'aws:SecureTransport': 'false' } },
            }),
          ]),
        },
      })
    }
  })

  it('lets the task role list and read the model folder and nothing else', () => {
    const bucketArn = `arn:aws:s3:::${DEV.modelBucketName}`
    expect(statementsOf(dev, roleIdOf(dev, 'RunnerTaskTaskRole'))).toEqual([
      {
        Sid: 'ReadModelFolder',
        Effect: 'Allow',
        Action: 's3:GetObject',
        Resource: `${bucketArn}/${DEV.modelPrefix}/*`,
      },
      {
        Sid: 'ListModelFolder',
        Effect: 'Allow',
        Action: 's3:ListBucket',
        Resource: bucketArn,
        Condition: { StringLike: { 's3:prefix': [DEV.modelPrefix, `${DEV.modelPrefix}/*`] } },
      },
    ])
  })

  it('grants no other role anything on the model bucket', () => {
    const taskRole = roleIdOf(dev, 'RunnerTaskTaskRole')
    const others = policies(dev).filter((p) => !p.Properties.Roles.some((r) => r.Ref === taskRole))
    expect(others.length).toBeGreaterThan(0)
    expect(JSON.stringify(others)).not.toContain(DEV.modelBucketName)
    expect(dev.artifacts).toHaveResourceCount('AWS::IAM::Policy', 0)
  })

  it('lets only the execution role read the secret, and only that one secret', () => {
    const secret = onlyResource(dev.template, 'AWS::SecretsManager::Secret')
    const execution = statementsOf(dev, roleIdOf(dev, 'RunnerTaskExecutionRole'))
    expect(execution.filter((s) => JSON.stringify(s).includes('secretsmanager:'))).toEqual([
      {
        Effect: 'Allow',
        Action: ['secretsmanager:DescribeSecret', 'secretsmanager:GetSecretValue'],
        Resource: { Ref: secret.id },
      },
    ])
    const mentions = policies(dev).filter((p) => JSON.stringify(p).includes('secretsmanager:'))
    expect(mentions).toHaveLength(1)
  })
})
