// Reads a request body into one Buffer, up to a byte limit, without a framework: the
// admission path pays per review for every layer between the socket and the handler.
import type { IncomingMessage } from 'node:http';

export type BodyResult = { body: Buffer } | { status: 413 | 415; message: string } | { aborted: true };

/**
 * Calls `done` once: with the body, with a 413 (declared or actual size over `limit`)
 * or 415 (compressed), or `aborted` when the client went away mid-body. After a 413 the
 * rest of the body is read and dropped, so the client gets to read the answer (closing
 * on unread bytes would reset the connection under it); a client that keeps sending
 * past twice the limit is cut off.
 */
export function readBody(req: IncomingMessage, limit: number, done: (result: BodyResult) => void): void {
  let finished = false;
  const finish = (result: BodyResult): void => {
    if (finished) return;
    finished = true;
    done(result);
  };
  // Without a listener, a reset mid-body would be an uncaught 'error'.
  req.on('error', () => finish({ aborted: true }));
  const encoding = req.headers['content-encoding'];
  if (encoding !== undefined && encoding !== 'identity') {
    drain(req, limit);
    finish({ status: 415, message: `unsupported content encoding "${encoding}"` });
    return;
  }
  const declared = req.headers['content-length'] === undefined ? undefined : Number(req.headers['content-length']);
  if (declared !== undefined && declared > limit) {
    drain(req, limit);
    finish({ status: 413, message: 'request body too large' });
    return;
  }
  const chunks: Buffer[] = [];
  let size = 0;
  const onData = (chunk: Buffer): void => {
    size += chunk.length;
    if (size > limit) {
      req.off('data', onData);
      chunks.length = 0;
      drain(req, limit);
      finish({ status: 413, message: 'request body too large' });
      return;
    }
    chunks.push(chunk);
  };
  req.on('data', onData);
  req.on('end', () => finish({ body: Buffer.concat(chunks, size) }));
  // 'close' without 'end': the client aborted; after 'end' this is a no-op.
  req.on('close', () => finish({ aborted: true }));
}

/** Reads and drops what remains, up to `limit` more bytes, then closes the connection. */
function drain(req: IncomingMessage, limit: number): void {
  let dropped = 0;
  req.on('data', (chunk: Buffer) => {
    dropped += chunk.length;
    if (dropped > limit) req.socket.destroy();
  });
  req.resume();
}
