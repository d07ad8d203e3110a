import type { IncomingMessage } from 'node:http';
import { createGunzip } from 'node:zlib';

/**
 * A request body of at most `limit` bytes, or null when it is larger (by its
 * declared Content-Length, before reading, or as it arrives). What is past the
 * limit is left unread, and the request is not destroyed: answer the refusal
 * with `Connection: close` and the rest is never consumed. With `gzip` the
 * limit applies to the decompressed bytes; a corrupt stream rejects.
 */
export async function readBody(
  req: IncomingMessage,
  limit: number,
  opts: { gzip?: boolean } = {},
): Promise<Buffer | null> {
  if (!opts.gzip && Number(req.headers['content-length'] ?? 0) > limit) return null;
  const source: AsyncIterable<unknown> = opts.gzip
    ? req.pipe(createGunzip())
    : req.iterator({ destroyOnReturn: false });
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of source) {
    size += (chunk as Buffer).length;
    if (size > limit) return null;
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}
