import { CfnOutput, Duration, RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib'
import { Repository, TagMutability, TagStatus } from 'aws-cdk-lib/aws-ecr'
import type { Construct } from 'constructs'

/** Settings of {@link RegistryStack}. */
export interface RegistryStackProps extends StackProps {
  /** Keep the repository and its images when the stack is deleted. */
  readonly retain: boolean
}

/**
 * The ECR repository for the runner image, in a stack of its own: it must exist (and hold the
 * pushed image) before the runner service can start a task, and it must outlive a failed
 * runner-stack deploy. Tags are immutable, so an environment's `imageTag` names one image.
 */
export class RegistryStack extends Stack {
  readonly repository: Repository

  constructor(scope: Construct, id: string, props: RegistryStackProps) {
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
    new CfnOutput(this, 'RepositoryUri', {
      value: this.repository.repositoryUri,
      description: 'docker push target for gpu-runner images',
    })
  }
}
