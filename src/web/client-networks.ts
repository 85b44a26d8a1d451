// Whether a client's address lies in one of a list of networks (METRICS_ALLOWED_NETWORKS).
import ipaddr from 'ipaddr.js';

/** Made once from CIDRs the settings checked; answers for the address of a connection's peer. */
export function inNetworks(cidrs: readonly string[]): (address: string | undefined) => boolean {
  const networks = cidrs.map((cidr) => ipaddr.parseCIDR(cidr));
  return (address) => {
    if (address === undefined || !ipaddr.isValid(address)) return false;
    // process(): an IPv4-mapped IPv6 peer (::ffff:127.0.0.1, on a dual-stack socket) as its IPv4 address.
    const client = ipaddr.process(address);
    return networks.some(([network, bits]) => network.kind() === client.kind() && client.match(network, bits));
  };
}
