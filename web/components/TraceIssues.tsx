/** What the trace reader found wrong with a trace: each problem with its line, errors first. */
import { formatIssue, type TraceIssue } from '../../shared/trace/reader.js';
import { t } from '../i18n/index.js';

const LIMIT = 12;

export function TraceIssues({ issues, failure, name }: { issues: readonly TraceIssue[]; failure: string | null; name: string }) {
  if (!failure && issues.length === 0) return null;
  const worst = failure || issues.some((i) => i.level === 'error') ? 'error' : issues.some((i) => i.level === 'warn') ? 'warn' : 'info';
  return (
    <section className={`trace-issues ${worst}`} role={worst === 'error' ? 'alert' : 'status'} aria-label={t('trace.issuesHeading', { name })}>
      <h2>{t(worst === 'info' ? 'trace.notesHeading' : 'trace.issuesHeading', { name })}</h2>
      <ul>
        {failure && <li className="error" data-code="failed">{failure}</li>}
        {issues.slice(0, LIMIT).map((i, k) => (
          <li key={k} className={i.level} data-code={i.code}>
            <strong>{t(`trace.level.${i.level}`)}</strong> {formatIssue(i)}
          </li>
        ))}
        {issues.length > LIMIT && <li className="info">{t('trace.moreIssues', { n: issues.length - LIMIT })}</li>}
      </ul>
    </section>
  );
}
