/**
 * The verifier section: the webhook path's time per delivery against what no verifier can skip (HMAC + one
 * SendMessage), with and without a round trip per AWS call, measured in turn so both see the same machine load.
 */
import { createHmac, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { DEFAULT_MODEL_PATTERN } from '../shared/models/model-selection';
import { signBody } from '../shared/domain/signature';
import type { LocalHub } from '../local/runtime';
import { fmt, kib, rows, show, stat } from './report';
import { log, ROOT, RUNS } from './settings';
import { repositoriesOf } from './sync-world';

const PUSH_FIXTURE = join(ROOT, 'test', 'fixtures', 'bitbucket-cloud-webhooks', 'commit_created__forced-truncated.json');

/**
 * The verifier's time per delivery against the floor (HMAC + one SendMessage), both on the same clients. With
 * `roundTripMs`, every DynamoDB and SQS call first waits that long, as the network to the AWS services does:
 * the stand-ins run in this process, so without it calls made at the same time only share one CPU.
 */
export async function benchVerifier(hub: LocalHub, secret: string, roundTripMs: number): Promise<void> {
  log(`verifier: per delivery in-process vs HMAC + one SendMessage, ${roundTripMs} ms per AWS call`);
  const payload = readFileSync(PUSH_FIXTURE);
  const { uuid, full_name: fullName } = (JSON.parse(payload.toString('utf8')) as { repository: { uuid: string; full_name: string } })
    .repository;
  if (!(await repositoriesOf(hub).getRepository(uuid)))
    await repositoriesOf(hub).addRepository({ uuid, fullName, modelPattern: DEFAULT_MODEL_PATTERN, addedAt: new Date().toISOString() });
  const { verifier } = hub.functions;
  const iterations = 40 * RUNS;
  const warmup = 20;
  const removeRoundTrips = roundTripMs > 0 ? addRoundTrip([hub.standIns.dynamodb, hub.standIns.sqs], roundTripMs) : () => undefined;

  // Each delivery is a distinct body (trailing whitespace is still the same JSON), so each one is queued, not
  // answered as a duplicate: the full path, with the replay claim, the SendMessage and the events-log write.
  // (The tabs keep the bodies of the passes with and without the round trip apart.)
  const bodyFor = (index: number) => Buffer.concat([payload, Buffer.from(' '.repeat(index + 1) + '\t'.repeat(roundTripMs))]);
  const verifierTimes: number[] = [];
  const floorTimes: number[] = [];
  // One delivery, then one floor operation, in turn: on a shared machine both see the same load.
  for (let index = 0; index < warmup + iterations; index++) {
    const body = bodyFor(index);
    const event = apiEvent(body, {
      'content-type': 'application/json',
      'x-event-key': 'repo:push',
      'x-request-uuid': randomUUID(),
      'x-attempt-number': '1',
      'x-hub-signature': signBody(secret, body),
    });
    let start = process.hrtime.bigint();
    const response = await verifier(event);
    const verifierElapsed = Number(process.hrtime.bigint() - start) / 1e6;
    if (response.statusCode !== 202 || response.body !== 'queued')
      throw new Error(`verifier answered ${response.statusCode} ${response.body}`);

    start = process.hrtime.bigint();
    createHmac('sha256', secret).update(body).digest('hex');
    await hub.standIns.sqs.send(
      new SendMessageCommand({
        QueueUrl: hub.standIns.queueUrl,
        MessageBody: '{"version":1}',
        MessageGroupId: uuid,
        MessageDeduplicationId: `floor-${randomUUID()}`,
      }),
    );
    const floorElapsed = Number(process.hrtime.bigint() - start) / 1e6;
    if (index >= warmup) {
      verifierTimes.push(verifierElapsed);
      floorTimes.push(floorElapsed);
    }
  }
  removeRoundTrips();
  const verifierStat = stat(verifierTimes);
  const floorStat = stat(floorTimes);
  const where = roundTripMs > 0 ? `${roundTripMs} ms per DynamoDB/SQS call` : 'no added round trip (one CPU for all)';
  rows.push({
    section: 'Verifier',
    figure: `time per delivery, ${kib(payload.length)} push, ${where} (${iterations} deliveries)`,
    value: show(verifierStat, ' ms'),
    floor: `${show(floorStat, ' ms')} HMAC + 1 SendMessage`,
    ratio: `${fmt(verifierStat.median / floorStat.median)}×`,
  });
}

/** The part of an SDK client's middleware stack that addRoundTrip uses. */
interface RoundTripStack {
  add(middleware: (next: (args: unknown) => Promise<unknown>) => (args: unknown) => Promise<unknown>, options: object): void;
}

/** Delays every call of the clients by `ms` (a middleware); returns what removes it again. */
function addRoundTrip(clients: ReadonlyArray<DynamoDBClient | SQSClient>, ms: number): () => void {
  const name = 'benchRoundTrip';
  for (const client of clients) {
    (client.middlewareStack as unknown as RoundTripStack).add(
      (next) => async (args) => {
        await delay(ms);
        return next(args);
      },
      { step: 'initialize', name },
    );
  }
  return () => clients.forEach((client) => client.middlewareStack.remove(name));
}

function apiEvent(body: Buffer, headers: Record<string, string>): APIGatewayProxyEventV2 {
  const now = new Date();
  return {
    version: '2.0',
    routeKey: 'POST /gateway/public/sync',
    rawPath: '/gateway/public/sync',
    rawQueryString: '',
    headers,
    requestContext: {
      accountId: '000000000000',
      apiId: 'bench',
      domainName: 'localhost',
      domainPrefix: 'localhost',
      requestId: randomUUID(),
      http: {
        method: 'POST',
        path: '/gateway/public/sync',
        protocol: 'HTTP/1.1',
        sourceIp: '127.0.0.1',
        userAgent: 'Bitbucket-Webhooks/2.0',
      },
      routeKey: 'POST /gateway/public/sync',
      stage: '$default',
      time: now.toUTCString(),
      timeEpoch: now.getTime(),
    },
    body: body.toString('utf8'),
    isBase64Encoded: false,
  };
}
