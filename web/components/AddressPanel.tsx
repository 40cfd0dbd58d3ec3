/**
 * The address panel (seed 003, ParseIP): type an address and see what Go's net.ParseIP makes of
 * it — the 16 bytes it holds, the 4 of To4(), what String() prints and what inet_ntop (Node)
 * prints. Below: every address this run's sockets used, parsed the same way, and the listening
 * sockets as the kernel reported them (kernel samples up to the cursor).
 */
import { useMemo, useState } from 'react';
import { hexBytes, parseIp } from '../../shared/net/parse-ip.js';
import { t } from '../i18n/index.js';
import type { ExperimentPanelProps } from './experiment-panels.js';
import './more-tcp.css';

function Bytes({ bytes, mark }: { bytes: readonly number[]; mark?: [number, number] }) {
  return (
    <span className="addr-bytes">
      {bytes.map((b, i) => (
        <span key={i} className={mark && i >= mark[0] && i < mark[1] ? 'addr-byte v4' : 'addr-byte'} title={`byte ${i}: ${b}`}>{b.toString(16).padStart(2, '0')}</span>
      ))}
    </span>
  );
}

function Parsed({ text }: { text: string }) {
  const r = parseIp(text);
  if (!r.ok) return <p className="addr-invalid">{t('addr.invalid', { reason: r.reason })}</p>;
  return (
    <dl className="addr-parsed">
      <dt>{t('addr.kind')}</dt><dd>{r.kind}{r.ranges.length ? ` · ${r.ranges.join(', ')}` : ''}</dd>
      <dt>{t('addr.bytes16')}</dt><dd><Bytes bytes={r.bytes16} {...(r.bytes4 ? { mark: [12, 16] as [number, number] } : {})} /></dd>
      <dt>{t('addr.to4')}</dt><dd>{r.bytes4 ? <Bytes bytes={r.bytes4} /> : t('addr.noTo4')}</dd>
      <dt>{t('addr.goString')}</dt><dd><code>{r.goString}</code></dd>
      <dt>{t('addr.ntop')}</dt><dd><code>{r.ntopString}</code></dd>
    </dl>
  );
}

/** 16 bytes as four 32-bit words of hex ("00000000 00000000 0000ffff 7f000001"): compact, still byte-exact. */
function words(bytes: readonly number[]): string {
  return hexBytes(bytes).split(' ').reduce((acc, b, i) => acc + (i > 0 && i % 4 === 0 ? ' ' : '') + b, '');
}

export function AddressPanel({ store, cursor }: ExperimentPanelProps) {
  const [text, setText] = useState('::ffff:127.0.0.1');
  const upTo = store ? store.indexAt(cursor) : 0;
  const version = store?.version ?? 0;
  const { seen, listeners } = useMemo(() => {
    const seen = new Map<string, string>();
    const listeners = new Map<string, string>();
    const events = store?.events ?? [];
    for (let i = 0; i < upTo && i < events.length; i++) {
      const e = events[i]!;
      if (e.kind === 'listen') seen.set(e.local.address, `${e.actor} listen`);
      else if (e.kind === 'accept') { seen.set(e.remote.address, `${e.actor} accept: peer`); seen.set(e.local.address, `${e.actor} accept: local`); }
      else if (e.kind === 'connect') seen.set(e.local.address, `${e.actor} connect: local`);
      else if (e.kind === 'sample' && e.state === 'LISTEN') listeners.set(e.key, `${e.local.address.includes(':') ? `[${e.local.address}]` : e.local.address}:${e.local.port} (${e.local.family ?? '?'})`);
      else if (e.kind === 'sample' && e.state === 'GONE') listeners.delete(e.key);
    }
    return { seen, listeners };
  }, [store, upTo, version]);

  return (
    <section className="addr-panel">
      <h2>{t('addr.heading')}</h2>
      <div className="addr-columns">
        <div>
          <label className="addr-input">
            <span>{t('addr.input')}</span>
            <input value={text} maxLength={64} onChange={(e) => setText(e.target.value)} spellCheck={false} />
          </label>
          <Parsed text={text} />
        </div>
        <div>
          <h3>{t('addr.seen')}</h3>
          {seen.size === 0 ? <p className="empty">{t('addr.none')}</p> : (
            <table className="addr-seen">
              <tbody>
                {[...seen].map(([a, where]) => {
                  const r = parseIp(a);
                  return (
                    <tr key={a} onClick={() => setText(a)} title={t('addr.pick')}>
                      <td><code>{a}</code></td>
                      <td>{r.ok ? r.kind : '—'}</td>
                      <td className="muted">{where}</td>
                      <td className="hex"><code>{r.ok ? words(r.bytes16) : ''}</code></td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          )}
          <h3>{t('addr.listeners')}</h3>
          {listeners.size === 0 ? <p className="empty">{t('addr.noListeners')}</p> : (
            <ul className="addr-listeners">{[...listeners.values()].map((l) => <li key={l}><code>{l}</code></li>)}</ul>
          )}
        </div>
      </div>
    </section>
  );
}
