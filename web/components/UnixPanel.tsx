/**
 * The unix experiment, from the trace up to the cursor (shared/unix/unix-view.ts): the socket file
 * and its permissions, the leftover-file story step by step, the abstract name (as the kernel lists
 * it) with no file, and the one queue of a Unix stream connection — the reader's, charged to the
 * writer's send buffer — now and at its largest. The Kernel view below draws the same sockets.
 */
import { useMemo } from 'react';
import { unixView } from '../../shared/unix/unix-view.js';
import { unixKey } from '../../shared/trace/unix-key.js';
import type { SampleEvent } from '../../shared/trace/kernel-events.js';
import { t } from '../i18n/index.js';
import type { ExperimentPanelProps } from './experiment-panels.js';
import './beyond-tcp.css';

const n = (x: number) => x.toLocaleString('en-US');

/** "@name" followed by NUL padding, shown as the name and a count. */
function abstractShown(kernelName: string, name: string): string {
  const pad = kernelName.length - name.length - 1;
  return pad > 0 ? t('unix.padded', { name: `@${name}`, pad }) : kernelName;
}

export function UnixPanel({ store, cursor }: ExperimentPanelProps) {
  const upTo = store ? store.indexAt(cursor) : 0;
  const version = store?.version ?? 0;
  const v = useMemo(() => (store ? unixView(store.events, upTo) : null), [store, upTo, version]);
  const now = useMemo(() => {
    if (!store || !v?.queues) return null;
    const last = (inode: number | undefined) => {
      if (inode === undefined) return undefined;
      let s: SampleEvent | undefined;
      for (let i = 0; i < upTo; i++) { const e = store.events[i]!; if (e.kind === 'sample' && e.key === unixKey(inode)) s = e; }
      return s;
    };
    return { reader: last(v.queues.readerInode), writer: last(v.queues.writerInode) };
  }, [store, v, upTo, version]);
  if (!v || (!v.file && !v.leftover.crashedListen)) return <section className="btcp-panel"><h2>{t('unix.heading')}</h2><p className="empty">{t('unix.empty')}</p></section>;
  const l = v.leftover;
  const q = v.queues;
  return (
    <section className="btcp-panel unix-panel">
      <h2>{t('unix.heading')}</h2>
      <div className="btcp-grid">
        <div className="btcp-box">
          <h3>{t('unix.fileHeading')}</h3>
          {v.file ? (
            <dl className="btcp-kv">
              <dt>{t('unix.path')}</dt><dd>{v.file.path}</dd>
              <dt>{t('unix.mode')}</dt><dd>{v.file.mode} uid {v.file.uid} · umask {v.file.umask}</dd>
              <dt>{t('unix.inodes')}</dt><dd>{t('unix.inodeValues', { file: v.file.fileInode, sock: v.file.socketInode ?? '?' })}</dd>
            </dl>
          ) : <p className="empty">{t('unix.notYet')}</p>}
          <p className="note">{t('unix.fileNote')}</p>
        </div>
        <div className="btcp-box">
          <h3>{t('unix.leftoverHeading')}</h3>
          <ol className="btcp-steps">
            <li className={l.crashedListen ? 'done' : ''}>{t('unix.step.crashed')}</li>
            <li className={l.eaddrinuse ? 'done' : ''}>{t('unix.step.inuse')}</li>
            <li className={l.refused ? 'done' : ''}>{t('unix.step.refused')}</li>
            <li className={l.unlinked ? 'done' : ''}>{t('unix.step.unlink')}</li>
            <li className={l.relistened ? 'done' : ''}>{t('unix.step.listen')}</li>
          </ol>
        </div>
        <div className="btcp-box">
          <h3>{t('unix.abstractHeading')}</h3>
          {v.abstract ? (
            <dl className="btcp-kv">
              <dt>{t('unix.kernelName')}</dt><dd>{v.abstract.kernelName ? abstractShown(v.abstract.kernelName, v.abstract.name) : t('unix.notSeen')}</dd>
              <dt>{t('unix.dir')}</dt><dd>{v.abstract.dirEntries.join(', ') || '—'}</dd>
            </dl>
          ) : <p className="empty">{t('unix.notYet')}</p>}
          <p className="note">{t('unix.abstractNote')}</p>
        </div>
      </div>
      <h3>{t('unix.queueHeading')}</h3>
      {q && now?.reader && now.writer ? (
        <div className="btcp-box">
          <div className="btcp-figures">
            <div className="btcp-figure"><span className="big">{n(now.reader.recvQ ?? 0)} B</span><span className="what">{t('unix.readerQ')}</span></div>
            <div className="btcp-figure"><span className="big">{n(now.writer.sendQ ?? 0)} B</span><span className="what">{t('unix.writerMem', { sndbuf: n(now.writer.skmem?.sndbuf ?? 0) })}</span></div>
            <div className="btcp-figure"><span className="big">{n(now.reader.skmem?.rcvbuf ?? 0)} B</span><span className="what">{t('unix.readerRcvbuf')}</span></div>
          </div>
          <p>{t('unix.peak', { recvQ: n(q.maxRecvQ), mem: n(q.maxSendMem), sndbuf: n(q.writerSndbuf ?? 0) })}</p>
          <p className="note">{t('unix.queueNote')}</p>
        </div>
      ) : <p className="empty">{t('unix.noQueue')}</p>}
    </section>
  );
}
