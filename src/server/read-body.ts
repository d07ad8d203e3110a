import type { IncomingMessage } from 'node:http';

/**
 * A request body of at most `limit` bytes, or null when it is larger (by its
 * declared Content-Length, before reading, or as it arrives). What is past the
 * limit is left unread, and the request is not destroyed: answer the refusal
 * with `Connection: close` and the rest is never consumed.
 */
export async function readBody(req: IncomingMessage, limit: number): Promise<Buffer | null> {
  if (Number(req.headers['content-length'] ?? 0) > limit) return null;
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req.iterator({ destroyOnReturn: false })) {
    size += (chunk as Buffer).length;
    if (size > limit) return null;
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}
