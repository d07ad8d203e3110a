export * from './signature.js';
export * from './ssrf.js';
export * from './backoff.js';
