import { Validations } from 'aws-cdk-lib'
import { Topic } from 'aws-cdk-lib/aws-sns'
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions'
import { Construct } from 'constructs'

/** Settings of {@link AlarmTopic}. */
export interface AlarmTopicProps {
  /** Subscribed by e-mail when given (AWS sends a confirmation mail first). */
  readonly email?: string
}

/** The SNS topic that alarms and Auto Scaling launch errors notify. */
export class AlarmTopic extends Construct {
  readonly topic: Topic

  constructor(scope: Construct, id: string, props: AlarmTopicProps) {
    super(scope, id)
    this.topic = new Topic(this, 'Topic', { displayName: 'Show-o runner alarms', enforceSSL: true })
    if (props.email !== undefined) {
      this.topic.addSubscription(new EmailSubscription(props.email))
    }
    Validations.of(this.topic).acknowledge({
      id: 'AwsSolutions-SNS2',
      reason:
        'Messages hold alarm names and metric values only. CloudWatch cannot publish to a topic ' +
        'under the AWS-managed SNS key, and a customer key would cost more than the data is worth.',
    })
  }
}
