import { RetentionDays } from 'aws-cdk-lib/aws-logs'
import type { GpuInstanceTypeName } from './gpu-instance-types.ts'

/** TLS for the runner endpoint: the listener is HTTPS on 443 with this certificate. */
export interface EndpointTls {
  /** Host name the edge calls, e.g. `runner.example.com`; the certificate must cover it. */
  readonly domainName: string
  /** ACM certificate in the stack's region (ALB certificates cannot come from another region). */
  readonly certificateArn: string
  /** Route 53 zone to write an alias record into; without it, point a CNAME at the ALB yourself. */
  readonly hostedZone?: { readonly id: string; readonly name: string }
}

/** Everything that differs between deployments of the runner fleet, in one typed value. */
export interface RunnerEnvironment {
  /** Lower-case short name: stack ids, resource names and the metrics dimension derive from it. */
  readonly name: string
  /**
   * Region to deploy to. The account is deliberately absent: it comes from the deploy
   * credentials, which keeps synth free of context lookups.
   */
  readonly region: string
  /**
   * Zones to spread over, named explicitly so synth never looks them up. Pick zones that offer
   * the instance type (`aws ec2 describe-instance-type-offerings --location-type
   * availability-zone`); the load balancer needs at least two.
   */
  readonly availabilityZones: readonly string[]
  /** NAT gateways for the private subnets: 1 saves money, one per zone survives a zone outage. */
  readonly natGateways: number
  readonly instanceType: GpuInstanceTypeName
  /** Floor of running runners; 0 lets the fleet scale to zero when idle (cold starts then). */
  readonly minRunners: number
  readonly maxRunners: number
  /**
   * Keep stopped, pre-initialized instances in an EC2 warm pool so a scale-out skips the instance
   * boot. Stopped instances cost only their EBS volume.
   */
  readonly warmPool: boolean
  /** Root volume of each GPU instance: holds the pulled image and the model cache. */
  readonly rootVolumeGiB: number
  /**
   * Name of the model bucket. S3 names are global, so it is fixed here (suffix it with your
   * account id); the runner stack refers to it by name, which keeps its IAM policy literal.
   */
  readonly modelBucketName: string
  /** Tag of the runner image in the environment's ECR repository (tags are immutable there). */
  readonly imageTag: string
  /**
   * Key prefix of the model folder in the model bucket; the runner gets
   * `RUNNER_MODEL_URI=s3://<model bucket>/<modelPrefix>` and may read nothing else.
   */
  readonly modelPrefix: string
  readonly runner: {
    readonly maxBatch: number
    readonly maxQueue: number
    /**
     * `RUNNER_MAX_DELAY_MS` in seconds: a runner refuses (429, in milliseconds) a request it
     * expects to take this much longer than alone, so callers can go elsewhere instead of
     * waiting. Unset: only the request timeout bounds the wait. Refusals count as queue depth
     * for scaling.
     */
    readonly maxDelaySeconds?: number
    /** Longest request the runner works on; the ALB's idle timeout is set just above it. */
    readonly requestTimeoutSeconds: number
    /**
     * Drain deadline on SIGTERM. The target group's deregistration delay equals it and the
     * container's stop timeout is a little longer, so in-flight images finish before SIGKILL.
     */
    readonly drainTimeoutSeconds: number
    readonly logLevel: 'debug' | 'info' | 'warn' | 'error'
  }
  readonly scaling: {
    /** Admitted-but-unanswered requests per runner that target tracking aims for. */
    readonly targetQueueDepthPerRunner: number
    /** Worst expected time from "desired count went up" to "a new runner is ready". */
    readonly coldStartSeconds: number
    /** With minRunners 0: minutes without any request before the fleet goes back to zero. */
    readonly idleMinutesBeforeZero: number
    /** Most instances launched in one managed-scaling step (1 avoids a 2-instance wake-up). */
    readonly maxInstancesPerScaleOut: number
  }
  readonly endpoint: {
    /** Without TLS the listener is plain HTTP on port 80, so ingress must then be narrow. */
    readonly tls?: EndpointTls
    /** Who may reach the load balancer. */
    readonly allowedIngressCidrs: readonly string[]
  }
  /** Address that receives alarm notifications; without it alarms only show on the dashboard. */
  readonly alarmEmail?: string
  /** Keep buckets, secret and repository when the stack is deleted, and protect the ALB. */
  readonly retainData: boolean
  readonly logRetention: RetentionDays
}

/**
 * Development: scales to zero, plain HTTP reachable only from a developer's network. Before
 * deploying, replace the documentation CIDR (203.0.113.0/24) with your own address (until then
 * nobody can reach the endpoint, which is the safe failure) and the example account id in the
 * bucket name with yours.
 */
export const DEV: RunnerEnvironment = {
  name: 'dev',
  region: 'us-east-1',
  availabilityZones: ['us-east-1a', 'us-east-1b'],
  natGateways: 1,
  instanceType: 'g6.xlarge',
  minRunners: 0,
  maxRunners: 2,
  warmPool: false,
  rootVolumeGiB: 100,
  modelBucketName: 'showo-models-dev-111122223333',
  imageTag: '0.1.0',
  modelPrefix: 'models/showo-turbo-256',
  runner: {
    maxBatch: 8,
    maxQueue: 32,
    requestTimeoutSeconds: 60,
    drainTimeoutSeconds: 60,
    logLevel: 'debug',
  },
  scaling: {
    targetQueueDepthPerRunner: 8,
    coldStartSeconds: 600,
    idleMinutesBeforeZero: 20,
    maxInstancesPerScaleOut: 1,
  },
  endpoint: { allowedIngressCidrs: ['203.0.113.0/24'] },
  retainData: false,
  logRetention: RetentionDays.TWO_WEEKS,
}

/**
 * Production: always one warm runner, HTTPS only, open to the internet because Cloudflare
 * Workers have no fixed egress addresses (every request is HMAC-signed). The domain, the
 * certificate and the bucket name's account id are placeholders to replace before the first
 * deploy.
 */
export const PROD: RunnerEnvironment = {
  name: 'prod',
  region: 'us-east-1',
  availabilityZones: ['us-east-1a', 'us-east-1b', 'us-east-1c'],
  natGateways: 2,
  instanceType: 'g6.xlarge',
  minRunners: 1,
  maxRunners: 8,
  warmPool: true,
  rootVolumeGiB: 100,
  modelBucketName: 'showo-models-prod-111122223333',
  imageTag: '0.1.0',
  modelPrefix: 'models/showo-turbo-256',
  runner: {
    maxBatch: 16,
    maxQueue: 64,
    maxDelaySeconds: 20,
    requestTimeoutSeconds: 60,
    drainTimeoutSeconds: 90,
    logLevel: 'info',
  },
  scaling: {
    targetQueueDepthPerRunner: 16,
    coldStartSeconds: 600,
    idleMinutesBeforeZero: 30,
    maxInstancesPerScaleOut: 4,
  },
  endpoint: {
    tls: {
      domainName: 'runner.example.com',
      certificateArn:
        'arn:aws:acm:us-east-1:111122223333:certificate/00000000-0000-0000-0000-000000000000',
    },
    allowedIngressCidrs: ['0.0.0.0/0'],
  },
  retainData: true,
  logRetention: RetentionDays.THREE_MONTHS,
}

/** Every environment `bin/app.ts` synthesizes, in order. */
export const ENVIRONMENTS: readonly RunnerEnvironment[] = [DEV, PROD]
