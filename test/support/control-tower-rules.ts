// Runs the Control Tower Guard rules on a template file with cfn-guard itself (nothing disabled), so a test can see
// which rules a template breaks whether or not the policy plugin is wired in.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { PROJECT_ROOT } from '../../infra/model-hub-stack';

const GUARD = join(PROJECT_ROOT, 'node_modules', '@cdklabs', 'cdk-validator-cfnguard');

/** The Control Tower rule files (`ct-…`) that fail on the template at `templatePath`, sorted. */
export function failingControlTowerRules(templatePath: string): string[] {
  const arch = process.arch === 'arm64' ? 'aarch64' : 'x86_64';
  const result = spawnSync(
    join(GUARD, 'bin', process.platform === 'darwin' ? 'macos' : 'ubuntu', arch, 'cfn-guard'),
    ['validate', '--rules', join(GUARD, 'rules', 'control-tower', 'cfn-guard'), '--data', templatePath, '--show-summary', 'fail'],
    { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 },
  );
  return [...new Set([...result.stdout.matchAll(/^(ct-[a-z0-9-]+)\.guard\/\w+\s+FAIL$/gm)].map((m) => m[1]!))].sort();
}
