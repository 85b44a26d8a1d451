// The network guard: a fetch reaches a loopback, private, link-local or otherwise non-public
// address only at an origin (scheme, host, port) that a source in the feeds file names itself.
// A redirect or a link found in a fetched page cannot carry a fetch to another service on the
// portal's machine or network. The check is made per connection, on the very address connected
// to, so a DNS answer cannot change between the check and the connect.
import { lookup as systemLookup, type LookupAddress } from 'node:dns';
import { isIP, type LookupFunction } from 'node:net';
import ipaddr from 'ipaddr.js';
import { Agent, buildConnector, fetch as undiciFetch } from 'undici';

/** A source as the guard sees it: the URLs the operator wrote for it. */
export interface NamingSource {
  feed?: string | undefined;
  site?: string | undefined;
}

export interface NetworkGuardOptions {
  /**
   * The sources whose `feed` and `site` origins may be on a private network. Asked at each new
   * connection, so an edited feeds file counts at once; the origins are worked out once per array.
   */
  namedSources: () => readonly NamingSource[];
  /** ALLOW_PRIVATE_NETWORKS=on: every address may be reached. */
  allowPrivateNetworks?: boolean;
  /** Resolves host names; default node:dns's lookup, as net.connect does. Tests inject their own. */
  lookup?: LookupFunction;
}

export interface NetworkGuard {
  /** undici's own fetch with every connection made through the guard. */
  fetch: typeof fetch;
  /** Closes the connections once the requests in flight are done. */
  close(): Promise<void>;
}

/**
 * Why a connection was not made. A fetch through the guard rejects with undici's
 * TypeError('fetch failed') and this as its cause.
 */
export class PrivateNetworkRefusal extends Error {
  override readonly name = 'PrivateNetworkRefusal';

  /** `target` is the origin as a URL ('http://127.0.0.1:9999/'), or the host name while it resolves. */
  constructor(
    readonly target: string,
    readonly resolvedTo: readonly string[] = [],
  ) {
    const where =
      resolvedTo.length > 0 ? `resolves only to private network addresses (${resolvedTo.join(', ')})` : 'is on a private network';
    super(`refused: ${target} ${where} and no source in the feeds file names it`);
  }
}

/** The guard's refusal inside what a fetch threw, if that is why it failed. */
export function refusalIn(thrown: unknown): PrivateNetworkRefusal | undefined {
  let current = thrown;
  for (let depth = 0; depth < 8 && current instanceof Error; depth += 1) {
    if (current instanceof PrivateNetworkRefusal) return current;
    current = current.cause;
  }
  return undefined;
}

/**
 * A fetch whose connections go through the guard. It uses undici's own fetch with an Agent as
 * its dispatcher: Node's bundled fetch offers no per-connection hook, and an npm undici Agent
 * inside Node's bundled fetch is not reliable across Node majors.
 */
export function createNetworkGuard(options: NetworkGuardOptions): NetworkGuard {
  const agent = new Agent({ connect: guardedConnector(options) });
  const guardedFetch = (input: Parameters<typeof fetch>[0], init?: RequestInit) =>
    undiciFetch(input as Parameters<typeof undiciFetch>[0], { ...(init as Parameters<typeof undiciFetch>[1]), dispatcher: agent });
  return {
    fetch: guardedFetch as unknown as typeof fetch,
    close: () => agent.close(),
  };
}

/** Only ordinary unicast is public; an IPv4-mapped IPv6 address is judged as the IPv4 it carries. */
export function isPublicAddress(address: string): boolean {
  return ipaddr.isValid(address) && ipaddr.process(address).range() === 'unicast';
}

/**
 * Wraps a resolver so that only public addresses come out of it: the private ones are dropped,
 * and a name with no public address fails with a refusal. It always asks for every address (net
 * asks for one, or for all when it races IPv4 and IPv6) and answers in the shape asked for.
 */
export function publicAddressesOnly(resolve: LookupFunction): LookupFunction {
  return (hostname, lookupOptions, callback) => {
    resolve(hostname, { ...lookupOptions, all: true }, (error, answer, family) => {
      if (error) return callback(error, []);
      const addresses: LookupAddress[] = typeof answer === 'string' ? [{ address: answer, family: family ?? isIP(answer) }] : answer;
      const usable = addresses.filter((entry) => isPublicAddress(entry.address));
      const first = usable[0];
      if (first === undefined) return callback(new PrivateNetworkRefusal(hostname, addresses.map((entry) => entry.address)), []);
      if (lookupOptions.all) callback(null, usable);
      else callback(null, first.address, first.family);
    });
  };
}

/**
 * undici calls this for every new connection, with the origin's host name, port and protocol: a
 * named origin (or any, when private networks are allowed) connects as usual; an IP address is
 * judged as it stands; a host name connects only to the public addresses it resolves to.
 */
function guardedConnector(options: NetworkGuardOptions): buildConnector.connector {
  const lookup = options.lookup ?? (systemLookup as LookupFunction);
  const direct = buildConnector({ lookup });
  const publicOnly = buildConnector({ lookup: publicAddressesOnly(lookup) });
  const isNamed = namedOriginTest(options.namedSources);
  return (target, callback) => {
    const origin = originOf(target);
    if (options.allowPrivateNetworks || isNamed(origin)) return direct(target, callback);
    if (isIP(target.hostname) !== 0) {
      if (isPublicAddress(target.hostname)) return direct(target, callback);
      // Asynchronously, as a real connect fails: undici does not expect the callback within the call.
      queueMicrotask(() => callback(new PrivateNetworkRefusal(`${origin}/`), null));
      return;
    }
    publicOnly(target, (...outcome) => {
      const [error] = outcome;
      // The resolver only knew the host name; the refusal names the whole origin.
      if (error instanceof PrivateNetworkRefusal) callback(new PrivateNetworkRefusal(`${origin}/`, error.resolvedTo), null);
      else callback(...outcome);
    });
  };
}

/** 'http://127.0.0.1:9999', '[::1]' bracketed, the default port left out: as URL.origin writes it. */
function originOf(target: buildConnector.Options): string {
  const host = target.host ?? `${isIP(target.hostname) === 6 ? `[${target.hostname}]` : target.hostname}${target.port ? `:${target.port}` : ''}`;
  return new URL(`${target.protocol}//${host}`).origin;
}

function namedOriginTest(namedSources: () => readonly NamingSource[]): (origin: string) => boolean {
  const originsBySources = new WeakMap<readonly NamingSource[], ReadonlySet<string>>();
  return (origin) => {
    const sources = namedSources();
    let origins = originsBySources.get(sources);
    if (origins === undefined) {
      origins = originsNamedBy(sources);
      originsBySources.set(sources, origins);
    }
    return origins.has(origin);
  };
}

function originsNamedBy(sources: readonly NamingSource[]): ReadonlySet<string> {
  const origins = new Set<string>();
  for (const source of sources) {
    for (const url of [source.feed, source.site]) {
      if (url !== undefined && URL.canParse(url)) origins.add(new URL(url).origin);
    }
  }
  return origins;
}
