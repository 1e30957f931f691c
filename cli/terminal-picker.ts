// The terminal multi-select of `repo add <workspace>` (@inquirer/prompts' checkbox), drawn on standard error so
// standard output keeps only results; no terminal means no prompt (the command then lists and asks for --match/--all).
import { checkbox } from '@inquirer/prompts';
import type { CliDeps } from './deps';

/** What the picker needs of the process: the terminal's input and the stream it draws on. */
export interface TerminalStreams {
  readonly input: NodeJS.ReadableStream & { isTTY?: boolean };
  readonly output: NodeJS.WritableStream & { isTTY?: boolean };
}

/** A `chooseRepositories` over the given terminal: undefined (no prompt) unless both streams are terminals. */
export function terminalPicker(streams: TerminalStreams): NonNullable<CliDeps['chooseRepositories']> {
  return async (question, choices) => {
    if (!streams.input.isTTY || !streams.output.isTTY) return undefined;
    try {
      return await checkbox(
        {
          message: question,
          choices: choices.map((choice) => ({
            value: choice.value,
            name: choice.name,
            ...(choice.disabled ? { disabled: choice.disabled } : {}),
          })),
          pageSize: 15,
          loop: false,
        },
        { input: streams.input, output: streams.output, clearPromptOnDone: false },
      );
    } catch (error) {
      // Ctrl-C in the prompt: nothing is added.
      if ((error as Error).name === 'ExitPromptError') return [];
      throw error;
    }
  };
}
