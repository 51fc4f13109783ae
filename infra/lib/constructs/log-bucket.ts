import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib'
import { BlockPublicAccess, Bucket, BucketEncryption, ObjectOwnership } from 'aws-cdk-lib/aws-s3'
import { Construct } from 'constructs'

/** Settings of {@link LogBucket}. */
export interface LogBucketProps {
  /** Keep the logs when the stack is deleted. */
  readonly retain: boolean
  /** Days before log objects expire. @default 90 */
  readonly expirationDays?: number
}

/**
 * One bucket for the audit trails: S3 server access logs of the model bucket, load balancer
 * access logs and VPC flow logs. SSE-S3, because ALB log delivery cannot write to a KMS bucket.
 */
export class LogBucket extends Construct {
  readonly bucket: Bucket

  constructor(scope: Construct, id: string, props: LogBucketProps) {
    super(scope, id)
    this.bucket = new Bucket(this, 'Bucket', {
      encryption: BucketEncryption.S3_MANAGED,
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
      enforceSSL: true,
      lifecycleRules: [{ expiration: Duration.days(props.expirationDays ?? 90) }],
      removalPolicy: props.retain ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
      autoDeleteObjects: false,
    })
    Validations.of(this.bucket).acknowledge({
      id: 'AwsSolutions-S1',
      reason:
        'This is the access-log bucket itself; logging it into itself would loop and logging ' +
        'it elsewhere needs a second bucket that would raise the same finding.',
    })
  }
}
