import type { CatalogEntry } from '../../shared/protocol/catalog.js';
import { t } from '../i18n/index.js';

/** The experiments, grouped (Basics, Flow control, Closing, …) so that many fit. */
export function Catalog({ entries, selected, onSelect }: { entries: CatalogEntry[]; selected: string | null; onSelect: (id: string) => void }) {
  const groups = new Map<string, CatalogEntry[]>();
  for (const e of entries) groups.set(e.group, [...(groups.get(e.group) ?? []), e]);
  return (
    <nav className="catalog" aria-label={t('catalog.heading')}>
      <h2>{t('catalog.heading')}</h2>
      {[...groups].map(([group, list]) => (
        <section key={group}>
          <h3>{group}</h3>
          <ul>
            {list.map((e) => (
              <li key={e.id}>
                <button className={e.id === selected ? 'selected' : ''} onClick={() => onSelect(e.id)} data-experiment={e.id} title={e.summary}>
                  {e.title}
                </button>
              </li>
            ))}
          </ul>
        </section>
      ))}
    </nav>
  );
}
