import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CliError } from '../../../shared/cli/errors';
import { resolveTarget } from '../../../shared/cli/target';
import { parseSince } from '../../../shared/cli/commands/events';

describe('resolveTarget: the local hub of a data dir', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'model-hub-target-'));
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it('says how to start a hub when none runs on the data dir', async () => {
    const error = await resolveTarget({}, { MODEL_HUB_DATA_DIR: dataDir }).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(CliError);
    expect(error).toMatchObject({ exitCode: 1, message: `no local hub is running with data dir ${dataDir}`, hint: expect.stringContaining('npm start') });
  });

  it('ignores a runtime.json left behind by a hub that is gone', async () => {
    // A pid that cannot be alive: process ids are far below 2^31 - 1.
    writeFileSync(join(dataDir, 'runtime.json'), JSON.stringify({ pid: 2 ** 31 - 1, webhookUrl: 'http://127.0.0.1:1/gateway/public/sync', env: {} }));

    await expect(resolveTarget({ dataDir }, {})).rejects.toThrow(/no local hub is running/);
  });
});

describe('parseSince', () => {
  const now = new Date('2025-06-01T12:00:00.000Z');

  it.each([
    ['30m', '2025-06-01T11:30:00.000Z'],
    ['2h', '2025-06-01T10:00:00.000Z'],
    ['7d', '2025-05-25T12:00:00.000Z'],
    ['2025-05-31T08:00:00Z', '2025-05-31T08:00:00.000Z'],
  ])('reads %s', (value, expected) => {
    expect(parseSince(value, now)).toBe(expected);
  });

  it('refuses anything else with a usage message', () => {
    expect(() => parseSince('yesterday', now)).toThrow(/expected an age like 30m, 2h, 7d or an ISO time/);
  });
});
