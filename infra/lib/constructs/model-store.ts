import { RemovalPolicy } from 'aws-cdk-lib'
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
  /** Globally unique bucket name, fixed so the runner stack can refer to it without an import. */
  readonly bucketName: string
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
      bucketName: props.bucketName,
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
}
