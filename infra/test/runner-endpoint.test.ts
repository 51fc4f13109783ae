import { Match } from 'aws-cdk-lib/assertions'
import { beforeAll, describe, expect, it } from 'vitest'
import { DEV, PROD } from '../config/environments.ts'
import {
  onlyResource,
  synthEnvironment,
  templateJson,
  type SynthesizedEnvironment,
} from './synth-environment.ts'

describe('runner endpoint', () => {
  let dev: SynthesizedEnvironment
  let prod: SynthesizedEnvironment
  beforeAll(() => {
    dev = synthEnvironment(DEV)
    prod = synthEnvironment({
      ...PROD,
      endpoint: {
        ...PROD.endpoint,
        tls: {
          ...(PROD.endpoint.tls ?? { domainName: '', certificateArn: '' }),
          hostedZone: { id: 'Z0123456789ABCDEFGHIJ', name: 'example.com' },
        },
      },
    })
  })

  it('serves HTTPS with the configured certificate and a TLS 1.2+ policy when TLS is set', () => {
    expect(prod.template).toHaveResourceProperties('AWS::ElasticLoadBalancingV2::Listener', {
      Port: 443,
      Protocol: 'HTTPS',
      Certificates: [{ CertificateArn: PROD.endpoint.tls?.certificateArn }],
      SslPolicy: 'ELBSecurityPolicy-TLS13-1-2-2021-06',
    })
    expect(prod.template).toHaveResourceProperties('AWS::Route53::RecordSet', {
      Name: 'runner.example.com.',
      Type: 'A',
      HostedZoneId: 'Z0123456789ABCDEFGHIJ',
    })
    expect(templateJson(prod.template).Outputs.RunnerUrl?.Value).toBe('https://runner.example.com')
  })

  it('without TLS listens on plain HTTP reachable only from the configured CIDRs', () => {
    expect(dev.template).toHaveResourceProperties('AWS::ElasticLoadBalancingV2::Listener', {
      Port: 80,
      Protocol: 'HTTP',
    })
    const { properties } = onlyResource(dev.template, 'AWS::ElasticLoadBalancingV2::LoadBalancer')
    const groups = dev.template.findResources('AWS::EC2::SecurityGroup')
    const [groupRef] = properties.SecurityGroups as { 'Fn::GetAtt': [string, string] }[]
    const group = groups[groupRef?.['Fn::GetAtt'][0] ?? ''] as {
      Properties: { SecurityGroupIngress: unknown[] }
    }
    expect(group.Properties.SecurityGroupIngress).toEqual([
      expect.objectContaining({ CidrIp: '203.0.113.0/24', FromPort: 80, ToPort: 80 }),
    ])
    expect(dev.template).toHaveResourceCount('AWS::Route53::RecordSet', 0)
  })

  it('forwards only the runner API and health routes; /metrics stays inside the VPC', () => {
    expect(dev.template).toHaveResourceProperties('AWS::ElasticLoadBalancingV2::Listener', {
      DefaultActions: [Match.objectLike({ Type: 'fixed-response' })],
    })
    expect(dev.template).toHaveResourceProperties('AWS::ElasticLoadBalancingV2::ListenerRule', {
      Conditions: [
        { Field: 'path-pattern', PathPatternConfig: { Values: ['/v1/*', '/healthz', '/readyz'] } },
      ],
    })
  })

  it('idles connections longer than the longest request and logs access', () => {
    expect(dev.template).toHaveResourceProperties('AWS::ElasticLoadBalancingV2::LoadBalancer', {
      Scheme: 'internet-facing',
      LoadBalancerAttributes: Match.arrayWith([
        {
          Key: 'idle_timeout.timeout_seconds',
          Value: String(DEV.runner.requestTimeoutSeconds + 5),
        },
        { Key: 'routing.http.drop_invalid_header_fields.enabled', Value: 'true' },
        { Key: 'access_logs.s3.enabled', Value: 'true' },
      ]),
    })
  })

  it('lets only the load balancer reach the runners, on the container port', () => {
    const lb = onlyResource(dev.template, 'AWS::ElasticLoadBalancingV2::LoadBalancer')
    const [lbGroup] = lb.properties.SecurityGroups as unknown[]
    expect(dev.template).toHaveResourceProperties('AWS::EC2::SecurityGroupIngress', {
      FromPort: 8080,
      ToPort: 8080,
      SourceSecurityGroupId: lbGroup,
    })
    expect(dev.template).toHaveResourceCount('AWS::EC2::SecurityGroupIngress', 1)
  })

  it('generates the edge→runner HMAC secret in Secrets Manager', () => {
    expect(dev.template).toHaveResourceProperties('AWS::SecretsManager::Secret', {
      GenerateSecretString: { PasswordLength: 64, ExcludePunctuation: true },
    })
  })
})
