import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib'
import { Peer, Port, SecurityGroup, SubnetType, type IVpc } from 'aws-cdk-lib/aws-ec2'
import type { ApplicationListener } from 'aws-cdk-lib/aws-elasticloadbalancingv2'
import {
  ApplicationLoadBalancer,
  ApplicationProtocol,
  ApplicationTargetGroup,
  ListenerAction,
  ListenerCertificate,
  ListenerCondition,
  Protocol,
  SslPolicy,
  TargetType,
} from 'aws-cdk-lib/aws-elasticloadbalancingv2'
import { ARecord, HostedZone, RecordTarget } from 'aws-cdk-lib/aws-route53'
import { LoadBalancerTarget } from 'aws-cdk-lib/aws-route53-targets'
import type { IBucket } from 'aws-cdk-lib/aws-s3'
import { Secret } from 'aws-cdk-lib/aws-secretsmanager'
import { Construct } from 'constructs'
import type { EndpointTls } from '../../config/environments.ts'

/** Settings of {@link RunnerEndpoint}. */
export interface RunnerEndpointProps {
  readonly vpc: IVpc
  /** HTTPS on 443 with this certificate; without it plain HTTP on 80 (see checkEnvironment). */
  readonly tls?: EndpointTls
  readonly allowedIngressCidrs: readonly string[]
  /** Port the runner listens on inside its task. */
  readonly containerPort: number
  /** Health check path: the runner's readiness (models loaded, warm, not draining). */
  readonly healthCheckPath: string
  /** The runner's drain deadline: the ALB stops sending new requests and waits this long. */
  readonly deregistrationDelay: Duration
  /** Longest request; the ALB's idle timeout is set a little above it. */
  readonly requestTimeout: Duration
  readonly accessLogs: IBucket
  readonly retain: boolean
}

/** Paths the load balancer forwards; everything else (e.g. /metrics) stays inside the VPC. */
export const FORWARDED_PATHS = ['/v1/*', '/healthz', '/readyz'] as const

/**
 * The runners' front door: an internet-facing ALB, its listener, the target group the service
 * registers into, and the HMAC secret the edge signs requests with (`x-showo-signature`).
 */
export class RunnerEndpoint extends Construct {
  readonly loadBalancer: ApplicationLoadBalancer
  readonly listener: ApplicationListener
  readonly targetGroup: ApplicationTargetGroup
  readonly secret: Secret
  /** Base URL the edge should call (`RUNNER_URL` on the edge). */
  readonly url: string

  constructor(scope: Construct, id: string, props: RunnerEndpointProps) {
    super(scope, id)
    const securityGroup = new SecurityGroup(this, 'SecurityGroup', {
      vpc: props.vpc,
      description: 'Runner load balancer: ingress from allowed CIDRs, egress to runner tasks only',
      allowAllOutbound: false,
    })
    const port = props.tls === undefined ? 80 : 443
    for (const cidr of props.allowedIngressCidrs) {
      securityGroup.addIngressRule(Peer.ipv4(cidr), Port.tcp(port), `runner endpoint from ${cidr}`)
    }
    if (props.allowedIngressCidrs.some((cidr) => cidr.endsWith('/0'))) {
      Validations.of(securityGroup).acknowledge({
        id: 'AwsSolutions-EC23',
        reason:
          'The edge runs on Cloudflare Workers, which have no fixed egress addresses. The ' +
          'listener is HTTPS only (the environment check refuses an open plain-HTTP listener), ' +
          'every forwarded route checks the HMAC signature, and unknown paths get a 404 here.',
      })
    }

    this.loadBalancer = new ApplicationLoadBalancer(this, 'LoadBalancer', {
      vpc: props.vpc,
      vpcSubnets: { subnetType: SubnetType.PUBLIC },
      internetFacing: true,
      securityGroup,
      dropInvalidHeaderFields: true,
      idleTimeout: props.requestTimeout.plus(Duration.seconds(5)),
      deletionProtection: props.retain,
    })
    this.loadBalancer.logAccessLogs(props.accessLogs, 'alb')

    this.targetGroup = new ApplicationTargetGroup(this, 'Runners', {
      vpc: props.vpc,
      targetType: TargetType.IP,
      port: props.containerPort,
      protocol: ApplicationProtocol.HTTP,
      deregistrationDelay: props.deregistrationDelay,
      healthCheck: {
        path: props.healthCheckPath,
        protocol: Protocol.HTTP,
        healthyHttpCodes: '200',
        interval: Duration.seconds(10),
        timeout: Duration.seconds(5),
        healthyThresholdCount: 2,
        unhealthyThresholdCount: 3,
      },
    })

    this.listener = this.loadBalancer.addListener('Listener', {
      port,
      protocol: props.tls === undefined ? ApplicationProtocol.HTTP : ApplicationProtocol.HTTPS,
      open: false,
      ...(props.tls === undefined
        ? {}
        : {
            certificates: [ListenerCertificate.fromArn(props.tls.certificateArn)],
            sslPolicy: SslPolicy.RECOMMENDED_TLS,
          }),
      defaultAction: ListenerAction.fixedResponse(404, {
        contentType: 'text/plain',
        messageBody: 'not found',
      }),
    })
    this.listener.addTargetGroups('RunnerRoutes', {
      priority: 10,
      conditions: [ListenerCondition.pathPatterns([...FORWARDED_PATHS])],
      targetGroups: [this.targetGroup],
    })

    this.secret = new Secret(this, 'RunnerSecret', {
      description: 'HMAC secret the edge signs runner requests with (x-showo-signature)',
      generateSecretString: { passwordLength: 64, excludePunctuation: true, includeSpace: false },
      removalPolicy: props.retain ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
    })
    Validations.of(this.secret).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason:
        'The same value lives in the edge (a Cloudflare secret), which Secrets Manager rotation ' +
        'cannot update; rotation is a documented manual step (infra/README.md) that updates ' +
        'both sides and restarts the runners.',
    })

    const host = props.tls?.domainName ?? this.loadBalancer.loadBalancerDnsName
    this.url = `${props.tls === undefined ? 'http' : 'https'}://${host}`
    const zone = props.tls?.hostedZone
    if (props.tls !== undefined && zone !== undefined) {
      new ARecord(this, 'AliasRecord', {
        zone: HostedZone.fromHostedZoneAttributes(this, 'Zone', {
          hostedZoneId: zone.id,
          zoneName: zone.name,
        }),
        recordName: props.tls.domainName,
        target: RecordTarget.fromAlias(new LoadBalancerTarget(this.loadBalancer)),
      })
    }
  }
}
