/**
 * The local stand-in for the change-events pipe: dynalite has no DynamoDB streams, so this polls the same change
 * records through the changes feed (`changesSince`) and delivers each as the EventBridge event the pipe would put
 * on the bus, appended to `change-events.jsonl` in the data dir (what `npm run hub -- changes` shows). Like the
 * pipe it delivers at least once: the cursor is saved after the events are appended, so a crash in between
 * delivers them again, with the same idempotency keys.
 */
import { randomUUID } from 'node:crypto';
import { appendFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CHANGE_EVENT_SOURCE, type ChangeRecord } from '../shared/domain/changes/change-records';
import { changesSince, cursorPosition, type ChangeFeed } from '../shared/domain/read/changes-since';

/** Where the delivered events go, one JSON object a line. */
export const CHANGE_EVENTS_FILE = 'change-events.jsonl';
const CURSOR_FILE = 'change-events.cursor';

/** An event as EventBridge delivers it to a rule's target. */
export interface DeliveredChangeEvent {
  readonly version: '0';
  readonly id: string;
  readonly 'detail-type': ChangeRecord['detailType'];
  readonly source: typeof CHANGE_EVENT_SOURCE;
  readonly account: string;
  readonly time: string;
  readonly region: string;
  readonly resources: readonly string[];
  readonly detail: ChangeRecord['detail'];
}

export interface ChangeEventPipeOptions {
  readonly feed: ChangeFeed;
  /** Keeps the events and the cursor there; without one, in memory only. */
  readonly dataDir?: string;
  /** Pause between polls that found nothing. @default 200 */
  readonly intervalMs?: number;
  readonly onError?: (error: unknown) => void;
}

export interface ChangeEventPipe {
  /** Every event delivered since the start (also those of earlier runs, read from the data dir). */
  delivered(): readonly DeliveredChangeEvent[];
  /**
   * Resolves once every record committed before this call is delivered: a poll read the feed past the time of the
   * call (the feed holds back the last second, and any commit still open).
   */
  drained(): Promise<void>;
  stop(): Promise<void>;
}

export function startChangeEventPipe(options: ChangeEventPipeOptions): ChangeEventPipe {
  const file = options.dataDir ? join(options.dataDir, CHANGE_EVENTS_FILE) : undefined;
  const cursorFile = options.dataDir ? join(options.dataDir, CURSOR_FILE) : undefined;
  const delivered: DeliveredChangeEvent[] = file ? readDeliveredEvents(file) : [];
  let cursor = cursorFile && existsSync(cursorFile) ? readFileSync(cursorFile, 'utf8').trim() || undefined : undefined;
  let running = true;
  let waiters: Array<{ since: string; resolve: () => void }> = [];
  let wake: (() => void) | undefined;

  const pollOnce = async (): Promise<number> => {
    const page = await changesSince(cursor, 100, { feed: options.feed });
    const events = page.items.map(toEvent);
    if (file && events.length > 0) appendFileSync(file, events.map((event) => `${JSON.stringify(event)}\n`).join(''), { mode: 0o600 });
    delivered.push(...events);
    cursor = page.nextCursor;
    if (cursorFile) writeFileSync(cursorFile, cursor, { mode: 0o600 });
    return events.length;
  };

  const loop = (async () => {
    while (running) {
      let count = 0;
      try {
        count = await pollOnce();
      } catch (error) {
        options.onError?.(error);
      }
      if (count > 0) continue;
      // Read up to the cursor: whoever waited for records committed before it has them.
      const readUpTo = cursor ? cursorPosition(cursor) : '';
      for (const waiter of waiters.filter((waiter) => waiter.since <= readUpTo)) waiter.resolve();
      waiters = waiters.filter((waiter) => waiter.since > readUpTo);
      await new Promise<void>((resolve) => {
        wake = resolve;
        setTimeout(resolve, options.intervalMs ?? 200).unref();
      });
    }
  })();

  return {
    delivered: () => delivered,
    drained: () =>
      new Promise<void>((resolve) => {
        waiters.push({ since: new Date().toISOString(), resolve });
        wake?.();
      }),
    async stop() {
      running = false;
      wake?.();
      await loop;
      for (const waiter of waiters) waiter.resolve();
    },
  };
}

/** The events of a data dir's file (lines that are no JSON, e.g. cut by a crash mid-write, are skipped). */
export function readDeliveredEvents(file: string): DeliveredChangeEvent[] {
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .flatMap((line) => {
      try {
        return line.trim() ? [JSON.parse(line) as DeliveredChangeEvent] : [];
      } catch {
        return [];
      }
    });
}

function toEvent(record: ChangeRecord): DeliveredChangeEvent {
  return {
    version: '0',
    id: randomUUID(),
    'detail-type': record.detailType,
    source: CHANGE_EVENT_SOURCE,
    account: '000000000000',
    time: new Date().toISOString(),
    region: 'local',
    resources: [],
    detail: record.detail,
  };
}
