import { useState } from 'react';
import { fmtTime, gql } from '../api';
import { useTitle } from '../router';
import { useSession } from '../session';
import { Action, ErrorBox, Field, useAsync } from '../ui';

const WEBHOOKS = 'query Webhooks { webhooks { id url description eventTypes createdAt createdBy } }';
const REGISTER = `mutation RegisterWebhook($input: RegisterWebhookInput!) { registerWebhook(input: $input) { secret webhook { id url } } }`;

interface Webhook {
  id: string;
  url: string;
  description: string | null;
  eventTypes: string[];
  createdAt: string;
  createdBy: string;
}

/** Webhooks (ADMIN): the registered ones, and registering one; its signing secret is shown once. */
export function Webhooks() {
  useTitle('Webhooks');
  const { can, viewer } = useSession();
  const [tick, setTick] = useState(0);
  const list = useAsync(
    () =>
      viewer && viewer.allowedFields.includes('Query.webhooks')
        ? gql<{ webhooks: Webhook[] }>(WEBHOOKS)
        : Promise.resolve(null),
    [viewer?.name],
    tick,
  );
  const [url, setUrl] = useState('');
  const [types, setTypes] = useState('');
  const [description, setDescription] = useState('');
  const [secret, setSecret] = useState<string | null>(null);
  const eventTypes = types.split(/[\s,]+/).filter(Boolean);
  return (
    <section aria-labelledby="webhooks-title">
      <h1 id="webhooks-title">Webhooks</h1>
      {!can('registerWebhook') && <p className="muted">Webhooks are managed by administrators.</p>}
      {can('registerWebhook') && (
        <Action
          label="Register a webhook"
          title="Register a webhook"
          confirm="Register"
          onOpen={() => {
            setUrl('');
            setTypes('');
            setDescription('');
          }}
          run={() =>
            gql<{ registerWebhook: { secret: string } }>(REGISTER, {
              input: {
                url: url.trim(),
                eventTypes: eventTypes.length ? eventTypes : null,
                description: description.trim() || null,
              },
            })
          }
          onDone={(r) => {
            setSecret((r as { registerWebhook: { secret: string } }).registerWebhook.secret);
            setTick((t) => t + 1);
          }}
          testid="register-webhook"
        >
          <p>
            Pedigree will POST {eventTypes.length ? <>every {eventTypes.join(', ')} event</> : <>every event</>} to{' '}
            <b>{url.trim() || 'the URL'}</b>, signed with a secret shown once after this, retrying with backoff. The URL
            is checked against the server&apos;s address policy.
          </p>
          <Field label="URL">
            {(id) => (
              <input
                id={id}
                type="url"
                value={url}
                onChange={(e) => setUrl(e.target.value)}
                placeholder="https://hooks.example.com/pedigree"
              />
            )}
          </Field>
          <Field label="Event types" hint="comma-separated, e.g. ALIAS_SET, PROMOTION_APPROVED; empty: every type">
            {(id) => <input id={id} value={types} onChange={(e) => setTypes(e.target.value)} />}
          </Field>
          <Field label="Description (optional)">
            {(id) => <input id={id} value={description} onChange={(e) => setDescription(e.target.value)} />}
          </Field>
        </Action>
      )}
      {secret && (
        <div className="ok" role="status" data-testid="webhook-secret">
          Registered. Its signing secret (shown only now): <code>{secret}</code>
        </div>
      )}
      <ErrorBox error={list.error} />
      {list.data && (
        <table data-testid="webhooks">
          <caption className="sr-only">Registered webhooks</caption>
          <thead>
            <tr>
              <th scope="col">URL</th>
              <th scope="col">events</th>
              <th scope="col">registered</th>
            </tr>
          </thead>
          <tbody>
            {list.data.webhooks.map((w) => (
              <tr key={w.id} data-webhook={w.id}>
                <td>
                  {w.url}
                  {w.description && <div className="muted small">{w.description}</div>}
                </td>
                <td className="small">{w.eventTypes.length ? w.eventTypes.join(', ') : 'all'}</td>
                <td className="small">
                  {fmtTime(w.createdAt)} by {w.createdBy}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
