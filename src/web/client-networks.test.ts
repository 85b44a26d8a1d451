import { describe, expect, it } from 'vitest';
import { inNetworks } from './client-networks.js';

describe('inNetworks', () => {
  const loopback = inNetworks(['127.0.0.1/8', '::1/128']);

  it('matches IPv4 and IPv6 peers in the networks, an IPv4-mapped peer as its IPv4 address', () => {
    expect(['127.0.0.1', '127.9.8.7', '::1', '::ffff:127.0.0.1'].map(loopback)).toEqual([true, true, true, true]);
  });

  it('refuses every other peer, and anything that is not an address', () => {
    expect(['10.0.0.5', '128.0.0.1', '::2', '::ffff:10.0.0.5', '2001:db8::1', 'localhost', '', undefined].map(loopback)).toEqual(
      [false, false, false, false, false, false, false, false],
    );
  });

  it('takes single-address networks and mixed lists', () => {
    const scraper = inNetworks(['10.20.0.0/16', '2001:db8::7/128', '192.0.2.9/32']);
    expect(['10.20.255.1', '2001:db8::7', '192.0.2.9', '192.0.2.10', '10.21.0.1'].map(scraper)).toEqual([true, true, true, false, false]);
  });

  it('refuses everyone for an empty list', () => {
    expect(inNetworks([])('127.0.0.1')).toBe(false);
  });
});
