import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CommanderError } from 'commander';
import { AdminError as CliError } from '../../../shared/admin/errors';
import { buildProgram } from '../../../cli/program';
import { resolveTarget } from '../../../cli/target';

describe('resolveTarget: a deployed stack, with --region and --profile', () => {
  const dir = mkdtempSync(join(tmpdir(), 'model-hub-profile-'));
  const saved = { ...process.env };
  const seen: IncomingHttpHeaders[] = [];
  let server: Server;

  beforeAll(async () => {
    // Records what the CLI's CloudFormation client sends, and answers as CloudFormation does for an unknown stack.
    server = createServer((request, response) => {
      seen.push(request.headers);
      request.resume().on('end', () => {
        response.writeHead(400, { 'content-type': 'text/xml' });
        response.end(
          '<ErrorResponse><Error><Type>Sender</Type><Code>ValidationError</Code><Message>Stack with id Missing does not exist</Message></Error><RequestId>r</RequestId></ErrorResponse>',
        );
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    // A profile with its own keys: the request must be signed with them, in the region given on the command line.
    writeFileSync(
      join(dir, 'credentials'),
      '[hub-admin]\naws_access_key_id = AKIAHUBADMINPROFILE1\naws_secret_access_key = profile-secret-key\n',
    );
    writeFileSync(join(dir, 'config'), '[profile hub-admin]\nregion = ap-southeast-2\n');
    Object.assign(process.env, {
      AWS_SHARED_CREDENTIALS_FILE: join(dir, 'credentials'),
      AWS_CONFIG_FILE: join(dir, 'config'),
      AWS_ENDPOINT_URL_CLOUDFORMATION: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    });
    delete process.env.AWS_ACCESS_KEY_ID;
    delete process.env.AWS_SECRET_ACCESS_KEY;
    delete process.env.AWS_REGION;
  });
  afterAll(async () => {
    process.env = saved;
    await new Promise<void>((resolve) => server.close(() => resolve()));
    rmSync(dir, { recursive: true, force: true });
  });

  it("asks CloudFormation in the given region with the given profile's credentials", async () => {
    const error = await resolveTarget({ stack: 'Missing', region: 'eu-west-3', profile: 'hub-admin' }, {}).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(CliError);
    expect(error).toMatchObject({ message: 'stack Missing does not exist in region eu-west-3' });
    expect(seen.at(-1)?.authorization).toMatch(/Credential=AKIAHUBADMINPROFILE1\/\d{8}\/eu-west-3\/cloudformation\/aws4_request/);
  });

  it('takes the region of the profile when none is given', async () => {
    const error = await resolveTarget({ stack: 'Missing', profile: 'hub-admin' }, {}).catch((e: unknown) => e);

    expect(error).toMatchObject({ message: 'stack Missing does not exist in region ap-southeast-2' });
    expect(seen.at(-1)?.authorization).toMatch(/Credential=AKIAHUBADMINPROFILE1\/\d{8}\/ap-southeast-2\/cloudformation\/aws4_request/);
  });

  it('gets --region and --profile from the command line to the deployed target', async () => {
    const err: string[] = [];
    const program = buildProgram({
      env: {},
      stdout: { write: () => true },
      stderr: { write: (chunk) => err.push(String(chunk)) },
      readStdin: async () => undefined,
    })
      .exitOverride()
      .configureOutput({ writeOut: () => undefined, writeErr: (text) => err.push(text) });

    const code = await program
      .parseAsync(['--stack', 'Missing', '--region', 'eu-north-1', '--profile', 'hub-admin', 'repo', 'list'], { from: 'user' })
      .then(
        () => 0,
        (error: unknown) => (error instanceof CommanderError ? error.exitCode : Promise.reject(error)),
      );

    expect(code).toBe(1);
    expect(err.join('')).toContain('error: stack Missing does not exist in region eu-north-1');
    expect(seen.at(-1)?.authorization).toMatch(/Credential=AKIAHUBADMINPROFILE1\/\d{8}\/eu-north-1\/cloudformation\/aws4_request/);
  });
});
