import { RemovalPolicy, Stack, Validations } from 'aws-cdk-lib'
import { Effect, PolicyStatement, type IRole } from 'aws-cdk-lib/aws-iam'
import {
  BlockPublicAccess,
  Bucket,
  BucketEncryption,
  ObjectOwnership,
  type IBucket,
} from 'aws-cdk-lib/aws-s3'
import { Construct } from 'constructs'

/** Settings of {@link ModelStore}. */
export interface ModelStoreProps {
  /** Bucket that receives the server access logs. */
  readonly accessLogs: IBucket
  /** Keep the bucket (and the multi-GB model folders in it) when the stack is deleted. */
  readonly retain: boolean
}

/**
 * The S3 bucket that holds converted model folders (`manifest.json`, ONNX graphs, tokenizer).
 * Encrypted, never public, TLS only, versioned so an overwritten model can be rolled back.
 */
export class ModelStore extends Construct {
  readonly bucket: Bucket

  constructor(scope: Construct, id: string, props: ModelStoreProps) {
    super(scope, id)
    this.bucket = new Bucket(this, 'Bucket', {
      encryption: BucketEncryption.S3_MANAGED,
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
      enforceSSL: true,
      versioned: true,
      serverAccessLogsBucket: props.accessLogs,
      serverAccessLogsPrefix: 'model-bucket/',
      removalPolicy: props.retain ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
    })
  }

  /** `s3://<bucket>/<prefix>`, the form `RUNNER_MODEL_URI` takes. */
  modelUri(prefix: string): string {
    return `s3://${this.bucket.bucketName}/${prefix}`
  }

  /**
   * Lets `role` list and read the one model folder under `prefix` and nothing else in the
   * bucket. Written out instead of `bucket.grantRead(role, pattern)` because that grant lists
   * the whole bucket; here listing is limited to the prefix by the `s3:prefix` condition.
   */
  grantReadModel(role: IRole, prefix: string): void {
    role.addToPrincipalPolicy(
      new PolicyStatement({
        sid: 'ReadModelFolder',
        effect: Effect.ALLOW,
        actions: ['s3:GetObject'],
        resources: [this.bucket.arnForObjects(`${prefix}/*`)],
      })
    )
    role.addToPrincipalPolicy(
      new PolicyStatement({
        sid: 'ListModelFolder',
        effect: Effect.ALLOW,
        actions: ['s3:ListBucket'],
        resources: [this.bucket.bucketArn],
        conditions: { StringLike: { 's3:prefix': [prefix, `${prefix}/*`] } },
      })
    )
    const logicalId = Stack.of(this).getLogicalId(this.bucket.node.defaultChild as never)
    Validations.of(role).acknowledge({
      id: `AwsSolutions-IAM5[Resource::<${logicalId}.Arn>/${prefix}/*]`,
      reason:
        'Read-only access to the files of one model folder, whose names the converter picks; ' +
        'the wildcard never reaches outside the folder.',
    })
  }
}
