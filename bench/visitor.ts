// One visitor, in a process of its own (so its timing is not the server's event loop): asks for a
// URL at a steady pace, one request at a time, and reports each request's latency when told to stop.
// node:http on a keep-alive agent, the body drained, not decoded: fetch() added ~2-3 ms a request here.
import { Agent, get } from 'node:http';
interface Visit {
  cmd: 'visit';
  url: string;
  intervalMs: number;
}

const agent = new Agent({ keepAlive: true, maxSockets: 1 });

/** One GET, its body read to the end; resolves with the status. */
function request(url: string): Promise<number> {
  return new Promise((resolve, reject) => {
    get(url, { agent, headers: { 'accept-encoding': 'br, gzip' } }, (response) => {
      response.resume();
      response.on('end', () => resolve(response.statusCode ?? 0));
      response.on('error', reject);
    }).on('error', reject);
  });
}

let visiting: Promise<number[]> | undefined;
let stopping = false;

async function visit({ url, intervalMs }: Visit): Promise<number[]> {
  const latencies: number[] = [];
  while (!stopping) {
    const started = performance.now();
    const status = await request(url);
    if (status !== 200) throw new Error(`bench: ${url} answered ${status}`);
    latencies.push(performance.now() - started);
    const wait = intervalMs - (performance.now() - started);
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
  }
  return latencies;
}

process.on('message', (message: Visit | { cmd: 'stop' }) => {
  if (message.cmd === 'visit') {
    stopping = false;
    visiting = visit(message);
    process.send?.({ cmd: 'visiting' });
  } else if (message.cmd === 'stop' && visiting) {
    stopping = true;
    void visiting.then((latencies) => process.send?.({ cmd: 'visited', latencies }));
  }
});
process.send?.({ cmd: 'ready' });
