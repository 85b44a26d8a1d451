// A digest worker thread: runs digestFeed on what the pool posts and posts back the outcome.
import { parentPort } from 'node:worker_threads';
import { digestFeed, type DigestInput } from './digest.js';
import type { DigestReply, DigestRequest } from './digest-pool.js';

if (!parentPort) throw new Error('refresh: digest-worker runs only as a worker thread');
const port = parentPort;

port.on('message', (request: DigestRequest) => {
  void answer(request.id, request.input).then((reply) => port.postMessage(reply));
});

async function answer(id: number, input: DigestInput): Promise<DigestReply> {
  try {
    return { id, ok: true, output: await digestFeed(input) };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return { id, ok: false, message, stack: error instanceof Error ? error.stack : undefined };
  }
}
