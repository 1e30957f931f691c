import { randomBytes } from 'node:crypto';
import { format } from 'node:util';

/**
 * Secrets hygiene for the test suites: every line a test file makes the process write (process.stdout,
 * process.stderr, and jest's `console`, which is where the Powertools logger and the CLIs print) is captured,
 * and once the file's tests are done it is scanned for the webhook secrets and access tokens the file
 * registered. Any occurrence fails the file.
 *
 * Registered as a jest `setupFilesAfterEnv` entry, so the capture covers every suite; a test file imports the
 * same module instance (setup files and the test share one module registry) to register its secrets.
 */

/** Secrets of the running test file, in registration order (the index names them in failure messages). */
const secrets: string[] = [];
/** Everything written since the capture was installed, per stream. */
const captured: Array<{ stream: string; text: string }> = [];
let capturedChars = 0;
/** Past this much captured text the oldest is dropped; a leak is also checked when a chunk is written. */
const MAX_CAPTURED_CHARS = 256 * 1024 * 1024;
/** Leaks found as each chunk is written (kept even if the chunk is later dropped from the capped capture). */
const leaksAtWrite: string[] = [];
let muted = false;
let restore: (() => void) | undefined;

/**
 * Adds a secret to look for and returns it. Short values are refused: they would match innocent text.
 * @example const secret = registerSecret(generateSecret());
 */
export function registerSecret(value: string): string {
  if (value.length < 8) throw new RangeError('a registered secret must have at least 8 characters, or it would match innocent output');
  if (!secrets.includes(value)) secrets.push(value);
  return value;
}

/** A fresh random secret (as `generateSecret()` in fixtures.ts), registered for the hygiene scan. */
export function generateRegisteredSecret(): string {
  return registerSecret(randomBytes(24).toString('base64url'));
}

/** The secrets registered so far in this test file. */
export function registeredSecrets(): readonly string[] {
  return secrets;
}

/**
 * While muted, captured output is not printed (it is still scanned). Suites that turn on DEBUG logs to give the
 * scan something to read mute them, so the test report stays readable.
 */
export function muteOutput(value = true): void {
  muted = value;
}

/** Everything captured so far, one string (for tests that assert on logs). */
export function capturedOutput(): string {
  return captured.map((chunk) => chunk.text).join('');
}

/**
 * Where registered secrets occur in `text`, in their raw, base64 and URL-encoded forms. The descriptions name
 * the secret by its index and show the surrounding line with the secret redacted, never the secret itself.
 */
export function findSecretLeaks(text: string, candidates: readonly string[] = secrets): string[] {
  const leaks: string[] = [];
  candidates.forEach((secret, index) => {
    for (const [encoding, form] of encodingsOf(secret)) {
      let at = text.indexOf(form);
      let shown = 0;
      while (at >= 0 && shown < 3) {
        const lineStart = text.lastIndexOf('\n', at) + 1;
        const lineEnd = text.indexOf('\n', at);
        const line = text
          .slice(lineStart, lineEnd < 0 ? undefined : lineEnd)
          .split(form)
          .join(`[secret #${index}]`);
        leaks.push(`secret #${index} (${encoding}) in: ${line.slice(0, 300)}`);
        shown += 1;
        at = text.indexOf(form, at + form.length);
      }
    }
  });
  return leaks;
}

/** Throws when a registered secret occurs in the captured output. */
export function assertNoSecretLeaks(): void {
  const leaks = [...new Set([...leaksAtWrite, ...findSecretLeaks(capturedOutput())])];
  if (leaks.length > 0) {
    throw new Error(`secrets hygiene: registered secrets occur in the output of this test file:\n${leaks.join('\n')}`);
  }
}

/**
 * Starts capturing (idempotent). Streams are patched on the object, so writers that kept a reference to
 * `process.stdout` (the Powertools logger builds its own Console on it) are captured too.
 */
export function installOutputCapture(): void {
  if (restore) return;
  const undo: Array<() => void> = [];
  for (const [name, stream] of [
    ['stdout', process.stdout],
    ['stderr', process.stderr],
  ] as const) {
    const original = stream.write;
    stream.write = function write(this: NodeJS.WriteStream, chunk: unknown, ...rest: unknown[]): boolean {
      record(
        name,
        typeof chunk === 'string'
          ? chunk
          : Buffer.isBuffer(chunk) || chunk instanceof Uint8Array
            ? Buffer.from(chunk).toString('utf8')
            : String(chunk),
      );
      if (muted) {
        // Honour the callback contract of write() even when nothing is printed.
        const callback = rest.find((argument) => typeof argument === 'function') as (() => void) | undefined;
        if (callback) process.nextTick(callback);
        return true;
      }
      return (original as (...args: unknown[]) => boolean).call(this, chunk, ...rest);
    } as typeof stream.write;
    undo.push(() => {
      stream.write = original;
    });
  }
  const target = console as unknown as Record<string, (...args: unknown[]) => void>;
  for (const method of ['log', 'info', 'warn', 'error', 'debug', 'trace'] as const) {
    const original = target[method];
    if (typeof original !== 'function') continue;
    target[method] = (...args: unknown[]) => {
      record(`console.${method}`, `${format(...args)}\n`);
      if (!muted) original.apply(console, args);
    };
    undo.push(() => {
      target[method] = original;
    });
  }
  restore = () => undo.reverse().forEach((step) => step());
}

/** Stops capturing and forgets this file's secrets and output (jest runs several files in one worker). */
export function uninstallOutputCapture(): void {
  restore?.();
  restore = undefined;
  captured.length = 0;
  capturedChars = 0;
  leaksAtWrite.length = 0;
  secrets.length = 0;
  muted = false;
}

function record(stream: string, text: string): void {
  if (secrets.length > 0) leaksAtWrite.push(...findSecretLeaks(text).map((leak) => `${stream}: ${leak}`));
  captured.push({ stream, text });
  capturedChars += text.length;
  while (capturedChars > MAX_CAPTURED_CHARS && captured.length > 1) capturedChars -= captured.shift()!.text.length;
}

function encodingsOf(secret: string): Array<[string, string]> {
  const forms: Array<[string, string]> = [['raw', secret]];
  const base64 = Buffer.from(secret, 'utf8').toString('base64');
  const urlEncoded = encodeURIComponent(secret);
  const jsonEscaped = JSON.stringify(secret).slice(1, -1);
  if (base64 !== secret) forms.push(['base64', base64.replace(/=+$/, '')]);
  if (urlEncoded !== secret) forms.push(['url-encoded', urlEncoded]);
  if (jsonEscaped !== secret) forms.push(['json-escaped', jsonEscaped]);
  return forms;
}

// As a jest setup file: capture from the start of the test file, scan after its last test (the root block's
// afterAll runs after the afterAll hooks of the file's describe blocks, so hubs closed there are included).
if (typeof afterAll === 'function') {
  installOutputCapture();
  afterAll(() => {
    try {
      assertNoSecretLeaks();
    } finally {
      uninstallOutputCapture();
    }
  });
}
