// Entry point of the CDK app: `npm run -w infra synth [-- --output DIR]`, or the cdk CLI
// through cdk.json. Synth needs no AWS credentials and makes no lookups.
import { ENVIRONMENTS } from '../config/environments.ts'
import { createShowoApp } from '../lib/showo-app.ts'
import { readSynthArgs } from '../lib/synth-args.ts'

const { outdir } = readSynthArgs(process.argv.slice(2), process.env, process.cwd())
const { app } = createShowoApp({ environments: ENVIRONMENTS, outdir })
const assembly = app.synth()
// Under the cdk CLI (which sets CDK_OUTDIR) the CLI reports the result itself.
if (process.env.CDK_OUTDIR === undefined) {
  for (const stack of assembly.stacks) {
    console.log(`${stack.stackName}: ${stack.templateFullPath}`)
  }
}
