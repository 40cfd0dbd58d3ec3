/**
 * The browser's end of the lab WebSocket: validates every message from the server with the
 * shared schema before anything uses it, and sends only schema-valid messages.
 */
import { ClientMessage, ServerMessage } from '../../shared/protocol/messages.js';

export type ConnectionState = { status: 'connecting' } | { status: 'open' } | { status: 'closed'; reason: string };

export class LabConnection {
  private ws: WebSocket;
  onMessage: (msg: ServerMessage) => void = () => {};
  onState: (s: ConnectionState) => void = () => {};
  onProtocolError: (text: string) => void = () => {};

  constructor(url = LabConnection.defaultUrl()) {
    this.ws = new WebSocket(url);
    this.ws.onopen = () => this.onState({ status: 'open' });
    this.ws.onclose = (ev) => this.onState({ status: 'closed', reason: ev.reason || `code ${ev.code}` });
    this.ws.onmessage = (ev) => {
      let json: unknown;
      try { json = JSON.parse(String(ev.data)); } catch { return this.onProtocolError('the lab sent something that is not JSON'); }
      const parsed = ServerMessage.safeParse(json);
      if (!parsed.success) return this.onProtocolError(`the lab sent an invalid message: ${parsed.error.issues[0]?.message ?? ''}`);
      this.onMessage(parsed.data);
    };
  }

  static defaultUrl(): string {
    const proto = location.protocol === 'https:' ? 'wss:' : 'ws:';
    return `${proto}//${location.host}/ws`;
  }

  send(msg: ClientMessage): void {
    const checked = ClientMessage.parse(msg);
    if (this.ws.readyState === WebSocket.OPEN) this.ws.send(JSON.stringify(checked));
  }

  close(): void { this.ws.close(); }
}
