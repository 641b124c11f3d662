import type { Socket } from 'node:net';

/** The parts of a socket's libuv stream handle (TCPWrap, TLSWrap) that start and stop reads. */
interface ReadHandle {
  reading: boolean;
  readStart(): number;
  readStop(): number;
}

function readHandle(socket: Socket): ReadHandle | undefined {
  const handle = (socket as unknown as { _handle?: Partial<ReadHandle> | null })._handle;
  return handle && typeof handle.readStart === 'function' && typeof handle.readStop === 'function' && typeof handle.reading === 'boolean'
    ? (handle as ReadHandle)
    : undefined;
}

/**
 * Stops reading `socket` until {@link resumeReads}: what arrives meanwhile stays in the kernel
 * (and, over TLS, in the layers below), and the process is not woken for it.
 *
 * `socket.pause()` alone does not do that: it stops the stream's 'data' events, but the
 * handle keeps reading into the stream's buffer until its high-water mark (16 KiB), waking the
 * process for every packet (at 300 watch lines a second, one read per line for the first
 * ~80 ms of each 200 ms pause; docs/performance.md, "Seventh pass"). Node stops the handle
 * itself only for sockets made with `onread`. This does what Node's own `pause()` does then:
 * `readStop()` on the handle and its `reading` flag cleared, so that Node's `resume()` path
 * (`tryReadStart`) starts it again. Returns whether the handle was stopped (false when it was
 * not reading, or the socket has no such handle: then only the stream is paused).
 */
export function pauseReads(socket: Socket): boolean {
  socket.pause();
  const handle = readHandle(socket);
  if (!handle || !handle.reading || socket.destroyed) return false;
  handle.reading = false;
  const err = handle.readStop();
  if (err !== 0) {
    // the handle refused: it still reads, as after a plain pause()
    handle.reading = true;
    return false;
  }
  return true;
}

/** Undoes {@link pauseReads}: starts the handle again when `stopped` (its result), then resumes the stream. */
export function resumeReads(socket: Socket, stopped: boolean): void {
  if (socket.destroyed) return;
  const handle = stopped ? readHandle(socket) : undefined;
  if (handle && !handle.reading) {
    handle.reading = true;
    const err = handle.readStart();
    if (err !== 0) {
      socket.destroy(new Error(`cannot read the watch socket again after a pause (libuv error ${err})`));
      return;
    }
  }
  socket.resume();
}
