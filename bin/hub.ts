#!/usr/bin/env -S npx tsx
/**
 * `npm run hub -- <command>`: the admin command line (see the README's "Set up Bitbucket Cloud"). Wires the real process into the CLI:
 * environment, standard streams, a hidden prompt for tokens typed on a terminal, a multi-select to pick repositories.
 */
import { buildProgram } from '../cli/program';

/** All of standard input when something is piped; undefined when it is a terminal. */
async function readStdin(): Promise<string | undefined> {
  if (process.stdin.isTTY) return undefined;
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** Reads a line from the terminal without echoing it (a token must not stay on screen or in scrollback). */
function promptSecret(question: string): Promise<string | undefined> {
  const { stdin, stderr } = process;
  if (!stdin.isTTY || !stderr.isTTY) return Promise.resolve(undefined);
  stderr.write(question);
  return new Promise((resolve) => {
    let value = '';
    stdin.setRawMode(true);
    stdin.resume();
    const onData = (data: Buffer) => {
      for (const char of data.toString('utf8')) {
        if (char === '\r' || char === '\n' || char === '\u0004') {
          done(value);
          return;
        }
        if (char === '\u0003') {
          done(undefined);
          process.exit(130);
        }
        value = char === '\u007f' || char === '\b' ? value.slice(0, -1) : value + char;
      }
    };
    const done = (result: string | undefined) => {
      stdin.off('data', onData);
      stdin.setRawMode(false);
      stdin.pause();
      stderr.write('\n');
      resolve(result);
    };
    stdin.on('data', onData);
  });
}

async function main(): Promise<void> {
  const program = buildProgram({
    env: process.env,
    stdout: process.stdout,
    stderr: process.stderr,
    readStdin,
    promptSecret,
    // The picker's library loads only when a command asks to pick.
    chooseRepositories: async (question, choices) => {
      const { terminalPicker } = await import('../cli/terminal-picker.ts');
      return terminalPicker({ input: process.stdin, output: process.stderr })(question, choices);
    },
  });
  await program.parseAsync(process.argv);
}

main().then(
  // Exit once stdout is flushed: idle keep-alive sockets must not keep a finished command waiting.
  () => process.stdout.write('', () => process.exit(0)),
  (error: unknown) => {
    process.stderr.write(`model-hub: ${(error as Error).stack ?? String(error)}\n`);
    process.exit(1);
  },
);
