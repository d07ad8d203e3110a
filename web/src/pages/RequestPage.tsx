import { useState } from 'react';
import { gql } from '../api';
import { AttestationView } from '../components/Attestation';
import { PromotionCard, REQUEST_FIELDS, type PromotionRequest } from '../components/PromotionCard';
import { PROMOTION_EVENT_TYPES, useRegistryEvents } from '../live';
import { href, useTitle } from '../router';
import { ErrorBox, LiveBadge, useAsync } from '../ui';

const REQUEST = `query Request($id: ID!) { promotionRequest(id: $id) { ${REQUEST_FIELDS} attestation } }`;

/** One promotion request, and the signed envelope of a carried-out two-person promotion, verified in this browser. */
export function RequestPage({ id }: { id: string }) {
  const [tick, setTick] = useState(0);
  const mode = useRegistryEvents(
    PROMOTION_EVENT_TYPES,
    (e) => e.subjectId === id || e.type === 'EVIDENCE_ADDED' || e.type === 'MODEL_CARD_SECTION_SET',
    () => setTick((t) => t + 1),
    () => setTick((t) => t + 1),
  );
  const q = useAsync(
    () => gql<{ promotionRequest: (PromotionRequest & { attestation: string | null }) | null }>(REQUEST, { id }),
    [id],
    tick,
  );
  const r = q.data?.promotionRequest;
  useTitle(r ? `Request: ${r.modelName} v${r.version}` : 'Request');
  if (q.error && !r) return <ErrorBox error={q.error} />;
  if (!q.data) return <p className="muted">loading…</p>;
  if (!r) return <ErrorBox error={new Error(`No promotion request has id “${id}”.`)} />;
  return (
    <section aria-labelledby="request-title">
      <p>
        <a href={href.model(r.modelName)}>← {r.modelName}</a>
      </p>
      <h1 id="request-title">
        Promotion request <LiveBadge mode={mode} />
      </h1>
      <PromotionCard r={r} headingLevel={2} />
      <h2>Signed record</h2>
      {r.attestation ? (
        <AttestationView
          envelope={r.attestation}
          filename={`promotion-${r.id}.dsse.json`}
          expectDigest={r.modelVersion?.checksum ?? null}
        />
      ) : (
        <p className="muted small">
          {r.status === 'APPROVED'
            ? 'This promotion needed one reviewer: it is recorded in the audit log, not signed.'
            : 'A two-person promotion is signed when it is carried out.'}
        </p>
      )}
    </section>
  );
}
