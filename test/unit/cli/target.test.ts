import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AdminError as CliError } from '../../../shared/admin/errors';
import { resolveTarget } from '../../../cli/target';

describe('resolveTarget: the local hub of a data dir', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'model-hub-target-'));
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it('says how to start a hub when none runs on the data dir', async () => {
    const error = await resolveTarget({}, { MODEL_HUB_DATA_DIR: dataDir }).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(CliError);
    expect(error).toMatchObject({
      exitCode: 1,
      message: `no local hub is running with data dir ${dataDir}`,
      hint: expect.stringContaining('npm start'),
    });
  });

  it('ignores a runtime.json left behind by a hub that is gone', async () => {
    // A pid that cannot be alive: process ids are far below 2^31 - 1.
    writeFileSync(
      join(dataDir, 'runtime.json'),
      JSON.stringify({ pid: 2 ** 31 - 1, webhookUrl: 'http://127.0.0.1:1/gateway/public/sync', env: {} }),
    );

    await expect(resolveTarget({ dataDir }, {})).rejects.toThrow(/no local hub is running/);
  });
});

describe('resolveTarget: a deployed stack with a named profile', () => {
  const home = mkdtempSync(join(tmpdir(), 'model-hub-profiles-'));
  afterAll(() => rmSync(home, { recursive: true, force: true }));

  it('names a profile that is in neither shared file, and the ones that are', async () => {
    // Arrange
    mkdirSync(join(home, '.aws'));
    writeFileSync(join(home, '.aws', 'config'), '[default]\nregion = eu-west-1\n\n[profile admin]\nregion = eu-west-1\n');
    writeFileSync(join(home, '.aws', 'credentials'), '[ci]\naws_access_key_id = generated-for-the-test\n');

    // Act
    const error = await resolveTarget(
      { stack: 'ModelHubSync', profile: 'nosuch' },
      { AWS_CONFIG_FILE: join(home, '.aws', 'config'), AWS_SHARED_CREDENTIALS_FILE: join(home, '.aws', 'credentials') },
    ).catch((e: unknown) => e);

    // Assess
    expect(error).toBeInstanceOf(CliError);
    expect(error).toMatchObject({
      exitCode: 1,
      message: `AWS profile nosuch (from --profile or AWS_PROFILE) is in neither ${home}/.aws/config nor ${home}/.aws/credentials`,
      hint: 'use one of the profiles there (default, admin, ci), or create it with `aws configure --profile nosuch`',
    });
  });
});
