/**
 * The kernel observer's key of a Unix socket: its inode. A Unix socket has no ports, and its path
 * is shared by a listener and every connection it accepted; the inode is what names one socket
 * (ss -x prints it in the port column). TCP and UDP sockets are keyed by address and port
 * (kernel-view.ts socketKey).
 */
export function unixKey(inode: number): string {
  return `unix:${inode}`;
}
