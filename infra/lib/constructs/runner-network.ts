import {
  FlowLogDestination,
  FlowLogTrafficType,
  GatewayVpcEndpointAwsService,
  IpAddresses,
  SubnetType,
  Vpc,
} from 'aws-cdk-lib/aws-ec2'
import type { IBucket } from 'aws-cdk-lib/aws-s3'
import { Construct } from 'constructs'

/** Settings of {@link RunnerNetwork}. */
export interface RunnerNetworkProps {
  /** Zones named explicitly, so synth never asks AWS which zones exist. */
  readonly availabilityZones: readonly string[]
  readonly natGateways: number
  /** Bucket that receives the VPC flow logs. */
  readonly flowLogs: IBucket
}

/**
 * The VPC: public subnets hold only the load balancer and NAT gateways, GPU instances and
 * runner tasks live in private subnets. An S3 gateway endpoint carries the model downloads
 * (gigabytes per cold start) for free instead of through the NAT gateway's per-GB charge.
 */
export class RunnerNetwork extends Construct {
  readonly vpc: Vpc

  constructor(scope: Construct, id: string, props: RunnerNetworkProps) {
    super(scope, id)
    this.vpc = new Vpc(this, 'Vpc', {
      ipAddresses: IpAddresses.cidr('10.40.0.0/16'),
      availabilityZones: [...props.availabilityZones],
      natGateways: props.natGateways,
      subnetConfiguration: [
        { name: 'public', subnetType: SubnetType.PUBLIC, cidrMask: 24 },
        { name: 'private', subnetType: SubnetType.PRIVATE_WITH_EGRESS, cidrMask: 20 },
      ],
      gatewayEndpoints: { S3: { service: GatewayVpcEndpointAwsService.S3 } },
      flowLogs: {
        toS3: {
          destination: FlowLogDestination.toS3(props.flowLogs, 'vpc-flow-logs/'),
          trafficType: FlowLogTrafficType.ALL,
        },
      },
    })
  }
}
