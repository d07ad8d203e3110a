import { useState } from 'react';
import { fmtTime, gql } from '../api';
import { lineDiff } from '../diff';
import { frontMatter, Markdown } from '../markdown';
import { useSession } from '../session';
import { Action, ErrorBox, Field, useAsync } from '../ui';

const CARD = `query ModelCard($ref: ModelVersionRefInput!) {
  modelCard(ref: $ref) { markdown missingRequiredSections sections { key title body generated } }
}`;
const HISTORY = `query SectionHistory($modelName: String!, $title: String!) {
  modelCardSectionHistory(modelName: $modelName, title: $title) { revision scope version body by at }
}`;
const SET = `mutation SetSection($modelName: String, $ref: ModelVersionRefInput, $title: String!, $body: String!) {
  setModelCardSection(modelName: $modelName, ref: $ref, title: $title, body: $body) { key revision }
}`;

interface Section {
  key: string;
  title: string;
  body: string;
  generated: boolean;
}
interface Revision {
  revision: number;
  scope: string;
  version: number | null;
  body: string;
  by: string;
  at: string;
}

/** Sections the lifecycle needs written before PRODUCTION (the card says which are still missing). */
const REQUIRED = new Set(['intended-use', 'limitations']);

/**
 * A version's model card in the Hugging Face layout: the card's sections,
 * with its YAML header's fields beside them. Human sections are editable
 * (for the whole model or this version) with their revision history and a
 * diff between revisions; required ones are flagged, missing ones loudly.
 * `reloadKey` changes when a MODEL_CARD_SECTION_SET event arrives.
 */
export function ModelCardView({
  modelName,
  version,
  reloadKey,
}: {
  modelName: string;
  version: number;
  reloadKey: number;
}) {
  const card = useAsync(
    () =>
      gql<{ modelCard: { markdown: string; missingRequiredSections: string[]; sections: Section[] } }>(CARD, {
        ref: { modelName, version },
      }),
    [modelName, version],
    reloadKey,
  );
  const { can } = useSession();
  const c = card.data?.modelCard;
  const meta = c ? frontMatter(c.markdown) : {};
  return (
    <section className="model-card" data-testid="model-card" aria-labelledby="card-title">
      <h2 id="card-title">Model card</h2>
      <ErrorBox error={card.error} />
      {c && c.missingRequiredSections.length > 0 && (
        <p className="warn" data-testid="card-missing">
          Required before PRODUCTION and not written yet:{' '}
          {c.sections
            .filter((s) => c.missingRequiredSections.includes(s.key))
            .map((s) => `“${s.title}”`)
            .join(', ')}
          .
        </p>
      )}
      {c && (
        <div className="hf-layout">
          <div className="hf-body">
            {c.sections.map((s) => (
              <CardSection
                key={s.key}
                s={s}
                modelName={modelName}
                version={version}
                missing={c.missingRequiredSections.includes(s.key)}
                canEdit={can('setModelCardSection')}
                reloadKey={reloadKey}
              />
            ))}
            {can('setModelCardSection') && <NewSection modelName={modelName} version={version} />}
          </div>
          <aside className="hf-meta" aria-label="card metadata">
            {(['model_name', 'license', 'base_model'] as const).map((k) =>
              meta[k] ? (
                <div key={k}>
                  <div className="muted small">{k.replace('_', ' ')}</div>
                  <div>{Array.isArray(meta[k]) ? (meta[k] as string[]).join(', ') : meta[k]}</div>
                </div>
              ) : null,
            )}
            {(['tags', 'datasets'] as const).map((k) =>
              Array.isArray(meta[k]) && (meta[k] as string[]).length ? (
                <div key={k}>
                  <div className="muted small">{k}</div>
                  <div>
                    {(meta[k] as string[]).map((x) => (
                      <span key={x} className="tag">
                        {x}
                      </span>
                    ))}
                  </div>
                </div>
              ) : null,
            )}
            <details>
              <summary className="small">YAML header</summary>
              <pre className="json small">{/^---\n([\s\S]*?)\n---/.exec(c.markdown)?.[1] ?? ''}</pre>
            </details>
          </aside>
        </div>
      )}
    </section>
  );
}

function CardSection({
  s,
  modelName,
  version,
  missing,
  canEdit,
  reloadKey,
}: {
  s: Section;
  modelName: string;
  version: number;
  missing: boolean;
  canEdit: boolean;
  reloadKey: number;
}) {
  const [body, setBody] = useState('');
  const [scope, setScope] = useState<'MODEL' | 'VERSION'>('MODEL');
  const [showHistory, setShowHistory] = useState(false);
  return (
    <div className={`card-section${missing ? ' missing' : ''}`} data-section={s.key}>
      <h3>
        {s.title}{' '}
        {s.generated ? (
          <span className="badge generated">generated from the graph</span>
        ) : (
          <span className="badge human">written by people</span>
        )}
        {REQUIRED.has(s.key) && (
          <span className={`badge ${missing ? 'required-missing' : 'required'}`}>
            {missing ? 'required · missing' : 'required'}
          </span>
        )}
      </h3>
      <Markdown source={s.body} />
      {!s.generated && (
        <div className="actions">
          {canEdit && (
            <Action
              label={missing ? 'Write' : 'Edit'}
              title={`${missing ? 'Write' : 'Edit'} “${s.title}”`}
              confirm="Save a new revision"
              onOpen={() => {
                setBody(missing ? '' : s.body);
                setScope('MODEL');
              }}
              run={() =>
                gql(
                  SET,
                  scope === 'MODEL'
                    ? { modelName, title: s.title, body }
                    : { ref: { modelName, version }, title: s.title, body },
                )
              }
              testid={`edit-${s.key}`}
            >
              <p>
                Saves a new revision of “{s.title}”{' '}
                {scope === 'MODEL' ? (
                  <>for every version of {modelName}</>
                ) : (
                  <>for v{version} only (it overrides the model-wide text)</>
                )}
                . Earlier revisions stay in its history.
              </p>
              <fieldset className="scope">
                <legend>Applies to</legend>
                <label>
                  <input
                    type="radio"
                    name={`scope-${s.key}`}
                    checked={scope === 'MODEL'}
                    onChange={() => setScope('MODEL')}
                  />{' '}
                  every version of {modelName}
                </label>{' '}
                <label>
                  <input
                    type="radio"
                    name={`scope-${s.key}`}
                    checked={scope === 'VERSION'}
                    onChange={() => setScope('VERSION')}
                  />{' '}
                  v{version} only
                </label>
              </fieldset>
              <Field label="Text (Markdown)">
                {(id) => <textarea id={id} rows={10} value={body} onChange={(e) => setBody(e.target.value)} />}
              </Field>
            </Action>
          )}
          <button
            type="button"
            aria-expanded={showHistory}
            onClick={() => setShowHistory((x) => !x)}
            data-testid={`history-${s.key}`}
          >
            {showHistory ? 'Hide history' : 'History'}
          </button>
        </div>
      )}
      {showHistory && <SectionHistory modelName={modelName} title={s.title} reloadKey={reloadKey} />}
    </div>
  );
}

/** Every revision of a section, newest first, and the diff between any two. */
function SectionHistory({ modelName, title, reloadKey }: { modelName: string; title: string; reloadKey: number }) {
  const h = useAsync(
    () => gql<{ modelCardSectionHistory: Revision[] }>(HISTORY, { modelName, title }),
    [modelName, title],
    reloadKey,
  );
  const revs = h.data?.modelCardSectionHistory ?? [];
  const [pick, setPick] = useState<{ a: number | null; b: number | null }>({ a: null, b: null });
  const newest = revs[0]?.revision ?? null;
  const a = pick.a ?? revs[1]?.revision ?? null;
  const b = pick.b ?? newest;
  const ra = revs.find((r) => r.revision === a);
  const rb = revs.find((r) => r.revision === b);
  return (
    <div className="history" data-testid="section-history">
      <ErrorBox error={h.error} />
      {revs.length === 0 && !h.loading && <p className="muted small">No revisions yet.</p>}
      {revs.length > 0 && (
        <table className="small">
          <caption className="sr-only">Revisions of {title}, newest first</caption>
          <thead>
            <tr>
              <th scope="col">revision</th>
              <th scope="col">applies to</th>
              <th scope="col">by</th>
              <th scope="col">at</th>
            </tr>
          </thead>
          <tbody>
            {revs.map((r) => (
              <tr key={`${r.revision}/${r.scope}/${r.version}`} data-revision={r.revision}>
                <td>{r.revision}</td>
                <td>{r.scope === 'MODEL' ? 'every version' : `v${r.version}`}</td>
                <td>{r.by}</td>
                <td>{fmtTime(r.at)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {revs.length > 1 && (
        <>
          <div className="controls small">
            <label>
              compare{' '}
              <select
                value={a ?? ''}
                onChange={(e) => setPick((p) => ({ ...p, a: Number(e.target.value) }))}
                aria-label="older revision"
              >
                {revs.map((r) => (
                  <option key={r.revision} value={r.revision}>
                    revision {r.revision}
                  </option>
                ))}
              </select>
            </label>
            <label>
              with{' '}
              <select
                value={b ?? ''}
                onChange={(e) => setPick((p) => ({ ...p, b: Number(e.target.value) }))}
                aria-label="newer revision"
              >
                {revs.map((r) => (
                  <option key={r.revision} value={r.revision}>
                    revision {r.revision}
                  </option>
                ))}
              </select>
            </label>
          </div>
          {ra && rb && (
            <pre
              className="line-diff"
              data-testid="section-diff"
              aria-label={`changes from revision ${a} to revision ${b}`}
            >
              {lineDiff(ra.body, rb.body).map((l, i) => (
                <div key={i} className={`diff-${l.op}`}>
                  <span aria-hidden="true">{l.op === 'add' ? '+ ' : l.op === 'del' ? '- ' : '  '}</span>
                  {l.op !== 'same' && <span className="sr-only">{l.op === 'add' ? 'added: ' : 'removed: '}</span>}
                  {l.text}
                </div>
              ))}
            </pre>
          )}
        </>
      )}
    </div>
  );
}

function NewSection({ modelName, version }: { modelName: string; version: number }) {
  const [title, setTitle] = useState('');
  const [body, setBody] = useState('');
  return (
    <div className="actions">
      <Action
        label="Add a section"
        title="Add a section to the model card"
        confirm="Add the section"
        onOpen={() => {
          setTitle('');
          setBody('');
        }}
        run={() => gql(SET, { modelName, title, body })}
        testid="add-section"
      >
        <p>
          Adds a human-written section to the card of every version of {modelName} (revision 1 of its history). v
          {version}&apos;s card shows it at once.
        </p>
        <Field label="Title">
          {(id) => <input id={id} value={title} onChange={(e) => setTitle(e.target.value)} />}
        </Field>
        <Field label="Text (Markdown)">
          {(id) => <textarea id={id} rows={8} value={body} onChange={(e) => setBody(e.target.value)} />}
        </Field>
      </Action>
    </div>
  );
}
