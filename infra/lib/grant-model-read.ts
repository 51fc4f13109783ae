import { Stack, Token, Validations } from 'aws-cdk-lib'
import { Effect, PolicyStatement, type IRole } from 'aws-cdk-lib/aws-iam'
import type { IBucket } from 'aws-cdk-lib/aws-s3'

/** `s3://<bucket>/<prefix>`, the form `RUNNER_MODEL_URI` takes. */
export function toModelUri(bucketName: string, prefix: string): string {
  return `s3://${bucketName}/${prefix}`
}

/**
 * Lets `role` read the one model folder under `prefix` of `bucket` and nothing else. Written
 * out instead of `bucket.grantRead(role, pattern)` because that grant lists the whole bucket;
 * here listing (which turns a missing file into a clear 404 instead of a 403) is limited to the
 * prefix by the `s3:prefix` condition.
 */
export function grantModelRead(role: IRole, bucket: IBucket, prefix: string): void {
  const objects = bucket.arnForObjects(`${prefix}/*`)
  role.addToPrincipalPolicy(
    new PolicyStatement({
      sid: 'ReadModelFolder',
      effect: Effect.ALLOW,
      actions: ['s3:GetObject'],
      resources: [objects],
    })
  )
  role.addToPrincipalPolicy(
    new PolicyStatement({
      sid: 'ListModelFolder',
      effect: Effect.ALLOW,
      actions: ['s3:ListBucket'],
      resources: [bucket.bucketArn],
      conditions: { StringLike: { 's3:prefix': [prefix, `${prefix}/*`] } },
    })
  )
  // cdk-nag names the finding after the resource ARN, so the bucket must be known by name here
  // (a cross-stack reference would put an unpredictable token into that name).
  const resource: unknown = Stack.of(role).resolve(objects)
  if (typeof resource !== 'string' || Token.isUnresolved(resource)) {
    throw new Error(
      `grantModelRead: the model bucket ARN must be a literal (got ${JSON.stringify(resource)}); ` +
        'import the bucket by name with Bucket.fromBucketName'
    )
  }
  Validations.of(role).acknowledge({
    id: `AwsSolutions-IAM5[Resource::${resource}]`,
    reason:
      'Read-only access to the files of one model folder, whose names the converter picks; ' +
      'the wildcard never reaches outside the folder.',
  })
}
