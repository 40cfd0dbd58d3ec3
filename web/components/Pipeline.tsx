/**
 * Where every byte of a connection is at the cursor, drawn left to right for each direction:
 * writer's Node queue → writer's kernel send queue → wire (the reader's advertised window) →
 * reader's kernel receive queue → reader's Node buffer → read by the program.
 * Every figure is printed, not hidden behind hover: presenters point at it.
 */
import type { TraceStore } from '../../shared/trace/store.js';
import {
  connectionsAt, directionsAt, fillOf, kernelAvailability, kernelIndex,
  type Gauge, type KernelAvailability, type PipelineView,
} from '../../shared/trace/kernel-view.js';
import { t } from '../i18n/index.js';
import { bytes, endName, StateBadge } from './KernelSockets.js';

interface Props { store: TraceStore | null; cursor: number }

export function Pipeline({ store, cursor }: Props) {
  if (!store) return null;
  const ix = kernelIndex(store);
  const avail = kernelAvailability(store.header?.capabilities);
  const now = Number.isFinite(cursor) ? cursor : store.endTime;
  const conns = connectionsAt(ix, cursor);
  return (
    <section className="pipelines">
      <h2>{t('pipeline.heading')}</h2>
      {conns.length === 0 && <p className="empty">{t('pipeline.none')}</p>}
      {conns.map((c) => directionsAt(ix, c, cursor, now).map((p) => (
        <PipelineRow key={`${p.writer.key}`} p={p} avail={avail} now={now} />
      )))}
    </section>
  );
}

function PipelineRow({ p, avail, now }: { p: PipelineView; avail: KernelAvailability; now: number }) {
  const wName = endName(p.writer);
  const rName = endName(p.reader);
  const kernelOff = avail.on ? null : avail.reason;
  return (
    <div className="pipeline" data-writer={p.writer.program?.actor ?? 'outside'} data-reader={p.reader.program?.actor ?? 'outside'}>
      <div className="pipeline-title">
        <strong>{wName}</strong> <StateBadge state={p.writerState} orphaned={p.writerOrphaned} off={kernelOff} />
        <span className="arrow-text">→</span>
        <strong>{rName}</strong> <StateBadge state={p.readerState} orphaned={p.readerOrphaned} off={kernelOff} />
      </div>
      <div className="stages">
        <Stage cls="node" title={t('pipeline.wrote', { who: wName })} big={p.wrote === null ? t('pipeline.notActor') : bytes(p.wrote)} />
        <Stage cls="node" title={t('pipeline.nodeQueue', { who: wName })} gauge={p.nodeQueue}
          big={p.nodeQueue ? bytes(p.nodeQueue.bytes) : (p.writer.program ? t('pipeline.noNodeYet') : t('pipeline.notActor'))}
          lines={[
            p.nodeQueue?.limit !== undefined ? t('pipeline.hwm', { n: bytes(p.nodeQueue.limit) }) : '',
            p.writeFalse ? t('pipeline.writeFalse', { n: p.writeFalse }) : '',
            p.waitingSince !== undefined ? t('pipeline.waiting', { s: ((now - p.waitingSince) / 1000).toFixed(1) }) : '',
            p.drainWaitMs ? t('pipeline.drainWaited', { s: (p.drainWaitMs / 1000).toFixed(2) }) : '',
          ]}
          alert={p.waitingSince !== undefined} />
        <KernelStage title={t('pipeline.sendQ', { who: wName })} g={p.sendQ} off={kernelOff} limitName="sndbuf" state={p.writerState}
          extra={p.notsent !== undefined && p.sendQ ? [t('pipeline.notsent', { n: bytes(p.notsent), m: bytes(Math.max(0, p.sendQ.bytes - p.notsent)) })] : []} />
        <Wire p={p} off={kernelOff} />
        <KernelStage title={t('pipeline.recvQ', { who: rName })} g={p.recvQ} off={kernelOff} limitName="rcvbuf" state={p.readerState}
          extra={p.rcvWnd !== undefined ? [t('pipeline.rcvWnd', { n: bytes(p.rcvWnd) })] : []} />
        <Stage cls="node" title={t('pipeline.nodeBuffer', { who: rName })} gauge={p.nodeBuffer}
          big={p.nodeBuffer ? bytes(p.nodeBuffer.bytes) : (p.reader.program ? t('pipeline.noNodeYet') : t('pipeline.notActor'))}
          lines={[
            p.nodeBuffer?.limit !== undefined ? t('pipeline.hwm', { n: bytes(p.nodeBuffer.limit) }) : '',
            p.flowing === undefined ? '' : p.flowing === null ? t('pipeline.noConsumer') : p.flowing ? t('pipeline.flowing') : t('pipeline.paused'),
          ]}
          alert={p.flowing === false} />
        <Stage cls="node" title={t('pipeline.read', { who: rName })} big={p.read === null ? t('pipeline.notActor') : bytes(p.read)} />
      </div>
    </div>
  );
}

function KernelStage({ title, g, off, limitName, state, extra }: { title: string; g: Gauge | null; off: string | null; limitName: string; state: string | undefined; extra: string[] }) {
  if (off) return <Stage cls="kernel off" title={title} big={t('pipeline.kernelOff')} lines={[off]} />;
  if (!g) return <Stage cls="kernel" title={title} big="—" lines={[state === 'GONE' ? t('pipeline.gone') : state ? t('pipeline.noQueue', { state }) : t('pipeline.noSample')]} />;
  return (
    <Stage cls="kernel" title={title} gauge={g} big={bytes(g.bytes)}
      lines={[
        g.limit !== undefined ? t('pipeline.mem', { mem: bytes(g.mem ?? g.bytes), limit: bytes(g.limit), name: limitName }) : '',
        ...extra,
      ]} />
  );
}

function Wire({ p, off }: { p: PipelineView; off: string | null }) {
  if (off) return <Stage cls="wire off" title={t('pipeline.wire')} big={t('pipeline.kernelOff')} lines={[off]} />;
  if (p.zeroWindow) {
    return (
      <div className="stage wire zero" role="status">
        <div className="stage-title">{t('pipeline.wire')}</div>
        <div className="zero-window">{t('pipeline.zeroWindow')}</div>
        <div className="stage-line">{t('pipeline.zeroExplain')}</div>
        {p.backoff !== undefined && <div className="stage-line strong backoff">{t('pipeline.backoff', { b: p.backoff })}</div>}
        {p.probes !== undefined && <div className="stage-line">{t('pipeline.unanswered', { n: p.probes })}</div>}
        {p.persistMs !== undefined && <div className="stage-line">{t('pipeline.persist', { s: (p.persistMs / 1000).toFixed(2) })}</div>}
      </div>
    );
  }
  return (
    <Stage cls="wire" title={t('pipeline.wire')} big={p.sndWnd !== undefined ? bytes(p.sndWnd) : '—'}
      lines={[
        p.sndWnd !== undefined ? t('pipeline.window') : p.writerState ? t('pipeline.noWindowState', { state: p.writerState === 'GONE' ? t('kernel.gone') : p.writerState }) : t('pipeline.noWindow'),
        p.probes ? t('pipeline.probes', { n: p.probes, b: p.backoff ?? 0 }) : '',
      ]} />
  );
}

function Stage({ cls, title, big, lines = [], gauge, alert }: { cls: string; title: string; big: string; lines?: string[]; gauge?: Gauge | null; alert?: boolean }) {
  const fill = gauge ? fillOf(gauge) : undefined;
  return (
    <div className={`stage ${cls}${alert ? ' alert' : ''}`}>
      <div className="stage-title">{title}</div>
      <div className="stage-big">{big}</div>
      {fill !== undefined && gauge?.limit !== undefined && (
        <div className="bar" aria-label={`${Math.round(fill * 100)}%`}>
          <div className={`fill${fill >= 0.9 ? ' full' : ''}`} style={{ width: `${(fill * 100).toFixed(1)}%` }} />
          <span className="pct">{Math.round(fill * 100)}%</span>
        </div>
      )}
      {lines.filter(Boolean).map((l, i) => <div className="stage-line" key={i}>{l}</div>)}
    </div>
  );
}

