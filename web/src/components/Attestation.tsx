import { useEffect, useMemo, useState } from 'react';
import { gql } from '../api';
import { verifyEnvelope, type SigningKey, type Verification } from '../dsse';
import { ErrorBox, useAsync } from '../ui';

const KEYS = 'query SigningKeys { signingKeys { keyid publicKey algorithm principal } }';

/**
 * A DSSE envelope with a badge computed in this browser (WebCrypto Ed25519
 * over the public keys signingKeys lists), who signed it, what it attests,
 * and a download link for the envelope as it is.
 */
export function AttestationView({
  envelope,
  filename,
  expectDigest,
}: {
  envelope: string;
  filename: string;
  expectDigest?: string | null;
}) {
  const keys = useAsync(() => gql<{ signingKeys: SigningKey[] }>(KEYS), []);
  const [result, setResult] = useState<Verification | null>(null);
  useEffect(() => {
    if (!keys.data) return;
    let live = true;
    setResult(null);
    void verifyEnvelope(envelope, keys.data.signingKeys).then((r) => live && setResult(r));
    return () => {
      live = false;
    };
  }, [envelope, keys.data]);
  const url = useMemo(() => URL.createObjectURL(new Blob([envelope], { type: 'application/json' })), [envelope]);
  useEffect(() => () => URL.revokeObjectURL(url), [url]);
  // Signed, but about another artifact than the version shown: not this version's attestation.
  const wrongSubject = !!(
    result?.verified &&
    expectDigest &&
    result.subjectDigest &&
    result.subjectDigest.toLowerCase() !== expectDigest.toLowerCase()
  );
  const verified = !!result?.verified && !wrongSubject;
  return (
    <div className="attestation" data-testid="attestation">
      <ErrorBox error={keys.error} />
      <p>
        {!result ? (
          <span className="badge pending" data-testid="verified-badge" data-verified="pending">
            checking…
          </span>
        ) : verified ? (
          <span className="badge verified" data-testid="verified-badge" data-verified="true">
            ✓ verified
          </span>
        ) : (
          <span className="badge not-verified" data-testid="verified-badge" data-verified="false">
            ✗ not verified
          </span>
        )}{' '}
        <span className="muted small">
          checked in this browser with WebCrypto Ed25519 against the public keys the server lists
        </span>
      </p>
      {result && !verified && (
        <p className="warn small" data-testid="verify-reason">
          {wrongSubject
            ? `it is signed, but attests ${result.subjectDigest}, not this version's artifact (${expectDigest})`
            : result.reason}
        </p>
      )}
      {result && (
        <dl className="facts small">
          <dt>signed by</dt>
          <dd data-testid="signers">{result.signers.length ? result.signers.join(', ') : 'no listed key'}</dd>
          {result.subjectName && (
            <>
              <dt>subject</dt>
              <dd>
                {result.subjectName} <code>{result.subjectDigest}</code>
              </dd>
            </>
          )}
          {result.promotion && (
            <>
              <dt>promotion</dt>
              <dd>
                {result.promotion.rule} →{' '}
                {Object.entries(result.promotion.target ?? {})
                  .map(([k, v]) => `${k} ${v}`)
                  .join('')}{' '}
                · approvers {(result.promotion.approvers ?? []).join(', ')}
              </dd>
            </>
          )}
        </dl>
      )}
      <p>
        <a href={url} download={filename} data-testid="download-envelope">
          Download the envelope ({filename})
        </a>
      </p>
      {result?.statement && (
        <details>
          <summary>The signed statement</summary>
          <pre className="json">{JSON.stringify(result.statement, null, 2)}</pre>
        </details>
      )}
    </div>
  );
}
