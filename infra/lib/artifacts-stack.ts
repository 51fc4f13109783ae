import { CfnOutput, Duration, RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib'
import { Repository, TagMutability, TagStatus } from 'aws-cdk-lib/aws-ecr'
import type { Construct } from 'constructs'
import { LogBucket } from './constructs/log-bucket.ts'
import { ModelStore } from './constructs/model-store.ts'

/** Settings of {@link ArtifactsStack}. */
export interface ArtifactsStackProps extends StackProps {
  readonly modelBucketName: string
  /** Keep the repository, the model bucket and their contents when the stack is deleted. */
  readonly retain: boolean
}

/**
 * What the runners start from: the ECR repository of the runner image and the model bucket. A
 * stack of its own because both must be filled (image pushed, model uploaded) before the first
 * runner task starts, and they must outlive a failed or deleted runner stack. Image tags are
 * immutable, so an environment's `imageTag` names exactly one image.
 */
export class ArtifactsStack extends Stack {
  readonly repository: Repository
  readonly modelStore: ModelStore

  constructor(scope: Construct, id: string, props: ArtifactsStackProps) {
    super(scope, id, props)
    this.repository = new Repository(this, 'RunnerImages', {
      imageTagMutability: TagMutability.IMMUTABLE,
      imageScanOnPush: true,
      removalPolicy: props.retain ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
      emptyOnDelete: !props.retain,
      lifecycleRules: [
        {
          description: 'drop untagged layers of interrupted pushes',
          tagStatus: TagStatus.UNTAGGED,
          maxImageAge: Duration.days(7),
        },
        { description: 'keep the last 30 releases', maxImageCount: 30 },
      ],
    })
    const logs = new LogBucket(this, 'AccessLogs', { retain: props.retain })
    this.modelStore = new ModelStore(this, 'ModelStore', {
      bucketName: props.modelBucketName,
      accessLogs: logs.bucket,
      retain: props.retain,
    })
    new CfnOutput(this, 'RepositoryUri', {
      value: this.repository.repositoryUri,
      description: 'docker push target for gpu-runner images',
    })
    new CfnOutput(this, 'ModelBucket', {
      value: this.modelStore.bucket.bucketName,
      description: 'upload converted model folders here (aws s3 sync)',
    })
  }
}
