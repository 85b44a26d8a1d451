// What every feeds:* command does around its work: parse the arguments (usage errors exit 2 with
// the usage line), answer --help, run, and turn an unexpected failure into one line and exit 1.
import { messageOf } from '../core/errors.js';

export class UsageError extends Error {}

export interface CommandOutput {
  stdout: (s: string) => void;
  stderr: (s: string) => void;
}

export interface CommandSpec<Request> {
  name: string;
  usage: string;
  /** Throws UsageError (or node:util parseArgs's errors) for bad arguments. */
  parse: (args: string[]) => Request | 'help';
  run: (request: Request) => Promise<number>;
}

export async function runCommand<Request>(args: string[], out: CommandOutput, spec: CommandSpec<Request>): Promise<number> {
  let request: Request | 'help';
  try {
    request = spec.parse(args);
  } catch (error) {
    if (!(error instanceof UsageError) && !isParseArgsError(error)) throw error;
    out.stderr(`${spec.name}: ${messageOf(error)}\n${spec.usage}\n`);
    return 2;
  }
  if (request === 'help') {
    out.stdout(`${spec.usage}\n`);
    return 0;
  }
  try {
    return await spec.run(request);
  } catch (error) {
    out.stderr(`${spec.name}: ${messageOf(error)}\n`);
    return 1;
  }
}

function isParseArgsError(error: unknown): boolean {
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS_');
}
