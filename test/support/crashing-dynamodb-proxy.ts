// A DynamoDB endpoint that kills the worker talking through it at a chosen write (before DynamoDB applies it, or
// after DynamoDB applied it but before the worker heard back), then fails every request as a dead process would:
// the reliability tests restart the worker after it (test/integration/reliability/).
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { request as undiciRequest } from 'undici';

const WRITE_TARGETS = /\.(PutItem|UpdateItem|DeleteItem|BatchWriteItem|TransactWriteItems)$/;

/** Where the worker dies: at the N-th write from arming, or at the first write `match` accepts. */
export interface Crash {
  readonly atWrite?: number;
  readonly match?: (operation: string, body: string) => boolean;
  readonly when: 'before' | 'after';
}

/** A DynamoDB proxy that dies at the N-th write after being armed; see the file comment. */
export async function startCrashingProxy(target: string) {
  let armed: Crash | undefined;
  let writes = 0;
  let dead = false;
  let crashes = 0;
  const kill = (response: ServerResponse) => {
    // A non-retryable error: the SDK gives up at once, as a process that died would never retry.
    response.writeHead(400, { 'content-type': 'application/x-amz-json-1.0' });
    response.end(
      JSON.stringify({ __type: 'com.amazonaws.dynamodb.v20120810#InjectedCrash', message: 'the worker crashed here (injected)' }),
    );
  };
  const server = createServer((request: IncomingMessage, response: ServerResponse) => {
    void (async () => {
      const chunks: Buffer[] = [];
      for await (const chunk of request) chunks.push(chunk as Buffer);
      if (dead) return kill(response);
      const operation = String(request.headers['x-amz-target'] ?? '');
      const isWrite = WRITE_TARGETS.test(operation);
      const crashHere =
        armed !== undefined &&
        isWrite &&
        (armed.match ? armed.match(operation, Buffer.concat(chunks).toString('utf8')) : ++writes === armed.atWrite);
      if (crashHere && armed!.when === 'before') {
        dead = true;
        crashes += 1;
        return kill(response);
      }
      const headers = Object.fromEntries(
        Object.entries(request.headers).filter(([name]) => name !== 'host' && name !== 'connection'),
      ) as Record<string, string>;
      const answer = await undiciRequest(`${target}${request.url ?? '/'}`, { method: 'POST', headers, body: Buffer.concat(chunks) });
      const body = Buffer.from(await answer.body.arrayBuffer());
      if (crashHere) {
        dead = true;
        crashes += 1;
        return kill(response);
      }
      response.writeHead(answer.statusCode, { 'content-type': String(answer.headers['content-type'] ?? 'application/x-amz-json-1.0') });
      response.end(body);
    })().catch(() => {
      response.destroy();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    /** Dies at the `crash.atWrite`-th write from now. */
    arm(crash: Crash | undefined) {
      armed = crash;
      writes = 0;
    },
    /** Comes back to life ("restart"). */
    revive() {
      dead = false;
      armed = undefined;
    },
    get dead() {
      return dead;
    },
    get crashes() {
      return crashes;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
