import { useState } from 'react';
import { Action, Field } from '../ui';

/**
 * Tags with add and remove, each behind a confirmation; the buttons exist only for a role the server lets set or delete
 * tags.
 */
export function TagEditor({
  tags,
  what,
  canSet,
  canDelete,
  set,
  remove,
  testid,
}: {
  tags: { key: string; value: string }[];
  what: string;
  canSet: boolean;
  canDelete: boolean;
  set: (key: string, value: string) => Promise<unknown>;
  remove: (key: string) => Promise<unknown>;
  testid: string;
}) {
  const [key, setKey] = useState('');
  const [value, setValue] = useState('');
  const existing = tags.find((t) => t.key === key.trim());
  return (
    <div className="tags" data-testid={testid}>
      <span className="muted small">tags: </span>
      {tags.length === 0 && <span className="muted small">none </span>}
      {tags.map((t) => (
        <span key={t.key} className="tag" data-tag={t.key}>
          {t.key}={t.value}
          {canDelete && (
            <Action
              label={<span aria-label={`remove tag ${t.key}`}>×</span>}
              title={`Remove tag “${t.key}”`}
              confirm="Remove the tag"
              run={() => remove(t.key)}
              danger
              testid={`remove-tag-${t.key}`}
            >
              <p>
                Removes the tag{' '}
                <code>
                  {t.key}={t.value}
                </code>{' '}
                from {what}. Searches by this tag stop finding it.
              </p>
            </Action>
          )}
        </span>
      ))}
      {canSet && (
        <Action
          label="+ tag"
          title={`Add a tag to ${what}`}
          confirm={existing ? 'Replace the value' : 'Add the tag'}
          onOpen={() => {
            setKey('');
            setValue('');
          }}
          run={() => set(key.trim(), value)}
          testid={`${testid}-add`}
        >
          <p>
            {key.trim() ? (
              existing ? (
                <>
                  Replaces{' '}
                  <code>
                    {existing.key}={existing.value}
                  </code>{' '}
                  on {what} with{' '}
                  <code>
                    {key.trim()}={value}
                  </code>
                  .
                </>
              ) : (
                <>
                  Adds{' '}
                  <code>
                    {key.trim()}={value}
                  </code>{' '}
                  to {what}.
                </>
              )
            ) : (
              <>Adds a key=value tag to {what}.</>
            )}
          </p>
          <Field label="Key">{(id) => <input id={id} value={key} onChange={(e) => setKey(e.target.value)} />}</Field>
          <Field label="Value">
            {(id) => <input id={id} value={value} onChange={(e) => setValue(e.target.value)} />}
          </Field>
        </Action>
      )}
    </div>
  );
}
