// The pino logger factory: main.ts makes one and passes it (or its children) down.
import { pino, type DestinationStream, type Logger } from 'pino';

export type { Logger } from 'pino';

export interface LoggerOptions {
  /** A pino level name: fatal, error, warn, info, debug, trace or silent. */
  level: string;
  /**
   * Where the JSON lines go: standard output (the server's default), standard error (CLI
   * commands, whose standard output is their result) or any pino destination (tests).
   */
  destination?: 'stdout' | 'stderr' | DestinationStream;
}

export function createLogger(options: LoggerOptions): Logger {
  return pino({ level: options.level, timestamp: pino.stdTimeFunctions.isoTime }, toDestination(options.destination));
}

function toDestination(destination: LoggerOptions['destination']): DestinationStream {
  if (destination === undefined || destination === 'stdout') return pino.destination({ fd: 1, sync: true });
  // Synchronous, so a short-lived command's last lines are written before it exits.
  if (destination === 'stderr') return pino.destination({ fd: 2, sync: true });
  return destination;
}
