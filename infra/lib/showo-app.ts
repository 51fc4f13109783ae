import { App, Validations } from 'aws-cdk-lib'
import { AwsSolutionsChecks } from 'cdk-nag'
import cdkJson from '../cdk.json' with { type: 'json' }
import { checkEnvironment } from '../config/check-environment.ts'
import type { RunnerEnvironment } from '../config/environments.ts'
import { ArtifactsStack } from './artifacts-stack.ts'
import { RunnerStack } from './runner-stack.ts'

/** Settings of {@link createShowoApp}. */
export interface ShowoAppOptions {
  readonly environments: readonly RunnerEnvironment[]
  /** Where the cloud assembly goes; CDK picks a temporary folder when absent. */
  readonly outdir?: string
}

/** The app and the stacks it holds, by environment name. */
export interface ShowoApp {
  readonly app: App
  readonly stacks: ReadonlyMap<string, { artifacts: ArtifactsStack; runner: RunnerStack }>
}

/**
 * Builds the CDK app: per environment an artifacts stack (`Showo-<Env>-Artifacts`: image
 * repository and model bucket) and a runner stack (`Showo-<Env>`). The feature flags come from
 * cdk.json so that a plain `tsx bin/app.ts` and the cdk CLI synthesize the same templates, and
 * cdk-nag's AWS Solutions pack runs on every synth: an unacknowledged error fails it.
 */
export function createShowoApp(options: ShowoAppOptions): ShowoApp {
  // Every environment first, so one bad config fails before any stack exists.
  for (const environment of options.environments) {
    checkEnvironment(environment)
  }
  const app = new App({
    context: cdkJson.context,
    ...(options.outdir === undefined ? {} : { outdir: options.outdir }),
  })
  const stacks = new Map<string, { artifacts: ArtifactsStack; runner: RunnerStack }>()
  for (const environment of options.environments) {
    const label = environment.name.charAt(0).toUpperCase() + environment.name.slice(1)
    const env = { region: environment.region }
    const artifacts = new ArtifactsStack(app, `Showo-${label}-Artifacts`, {
      env,
      retain: environment.retainData,
      modelBucketName: environment.modelBucketName,
      description: `Show-o runner image repository and model bucket (${environment.name})`,
    })
    const runner = new RunnerStack(app, `Showo-${label}`, {
      env,
      environment,
      repository: artifacts.repository,
      terminationProtection: environment.retainData,
      description: `Show-o Turbo GPU runner fleet (${environment.name})`,
    })
    // The runner stack names the model bucket instead of importing it: order them by hand.
    runner.addStackDependency(artifacts)
    stacks.set(environment.name, { artifacts, runner })
  }
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app))
  return { app, stacks }
}
