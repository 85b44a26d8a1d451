// The web folder's public face: build the app; main.ts listens.
export { buildApp, buildProbeApp, createWebContext } from './app.js';
export type { AppDeps, WebContext } from './deps.js';
export { ResponseCache, VersionTracker, chooseEncoding, type Rendered } from './cache.js';
export { HttpError } from './errors.js';
