import { Match } from 'aws-cdk-lib/assertions'
import { beforeAll, describe, expect, it } from 'vitest'
import { DEV } from '../config/environments.ts'
import {
  onlyResource,
  synthEnvironment,
  templateJson,
  type SynthesizedEnvironment,
} from './synth-environment.ts'

type Statement = { Action: string | string[]; Resource: unknown; Condition?: unknown }

function policyStatementsOf(env: SynthesizedEnvironment, roleId: string): Statement[] {
  const policies = Object.values(env.template.findResources('AWS::IAM::Policy')) as {
    Properties: { Roles: { Ref: string }[]; PolicyDocument: { Statement: Statement[] } }
  }[]
  return policies
    .filter((p) => p.Properties.Roles.some((r) => r.Ref === roleId))
    .flatMap((p) => p.Properties.PolicyDocument.Statement)
}

function roleIdOf(env: SynthesizedEnvironment, prefix: string): string {
  const ids = Object.keys(env.template.findResources('AWS::IAM::Role')).filter((id) =>
    id.startsWith(prefix)
  )
  expect(ids).toHaveLength(1)
  return ids[0] as string
}

describe('model bucket and least-privilege grants', () => {
  let dev: SynthesizedEnvironment
  let bucketId: string
  beforeAll(() => {
    dev = synthEnvironment(DEV)
    const buckets = Object.keys(dev.template.findResources('AWS::S3::Bucket'))
    bucketId = buckets.find((id) => id.startsWith('ModelStoreBucket')) ?? ''
  })

  it('encrypts the model bucket, blocks all public access and versions objects', () => {
    expect(bucketId).not.toBe('')
    expect(templateJson(dev.template).Resources[bucketId]?.Properties).toMatchObject({
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

  it('refuses non-TLS requests to every bucket', () => {
    expect(dev.template).toHaveResourceCount('AWS::S3::BucketPolicy', 2)
    expect(dev.template).toHaveOnlyResourcesWithProperties('AWS::S3::BucketPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Effect: 'Deny',
            Condition: { Bool: { 'aws:SecureTransport': 'false' } },
          }),
        ]),
      },
    })
  })

  it('lets the task role list and read the model folder and nothing else', () => {
    const arn = { 'Fn::GetAtt': [bucketId, 'Arn'] }
    expect(policyStatementsOf(dev, roleIdOf(dev, 'RunnerTaskTaskRole'))).toEqual([
      {
        Sid: 'ReadModelFolder',
        Effect: 'Allow',
        Action: 's3:GetObject',
        Resource: { 'Fn::Join': ['', [arn, `/${DEV.modelPrefix}/*`]] },
      },
      {
        Sid: 'ListModelFolder',
        Effect: 'Allow',
        Action: 's3:ListBucket',
        Resource: arn,
        Condition: { StringLike: { 's3:prefix': [DEV.modelPrefix, `${DEV.modelPrefix}/*`] } },
      },
    ])
  })

  it('grants no other role anything on the model bucket', () => {
    const taskRole = roleIdOf(dev, 'RunnerTaskTaskRole')
    const policies = Object.values(dev.template.findResources('AWS::IAM::Policy')) as {
      Properties: { Roles: { Ref: string }[] }
    }[]
    const others = policies.filter((p) => !p.Properties.Roles.some((r) => r.Ref === taskRole))
    expect(JSON.stringify(others)).not.toContain(bucketId)
  })

  it('lets only the execution role read the secret, and only that one secret', () => {
    const secret = onlyResource(dev.template, 'AWS::SecretsManager::Secret')
    const execution = policyStatementsOf(dev, roleIdOf(dev, 'RunnerTaskExecutionRole'))
    const secretReads = execution.filter((s) => JSON.stringify(s.Action).includes('secretsmanager'))
    expect(secretReads).toEqual([
      {
        Effect: 'Allow',
        Action: ['secretsmanager:DescribeSecret', 'secretsmanager:GetSecretValue'],
        Resource: { Ref: secret.id },
      },
    ])
    const policies = Object.values(dev.template.findResources('AWS::IAM::Policy'))
    const mentions = policies.filter((p) => JSON.stringify(p).includes('secretsmanager:'))
    expect(mentions).toHaveLength(1)
  })
})
