// The ingest stages' public face: fetch (conditional GET, limits, charset), parse (to one normal
// form), filter (include/exclude), sanitize, and the sources' icons. No database: the refresh
// stage joins them to the store.
export * from './fetch/index.js';
export * from './parse/index.js';
export * from './filter/index.js';
export * from './sanitize/index.js';
export * from './icon/index.js';
