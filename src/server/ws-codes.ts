/**
 * Close code for a subscriber that fell behind: its socket buffered more than
 * PEDIGREE_WS_MAX_BUFFERED_BYTES, or one of its subscriptions queued more live
 * events than it could take. The reason is one line; the client reconnects and
 * resumes with `after: <last sequence it saw>`. (graphql-ws itself uses 4400,
 * 4401, 4403, 4406, 4408, 4409, 4429, 4500; 4413 is free and reads as "too large".)
 */
export const SLOW_SUBSCRIBER_CLOSE = 4413;
