import { useState } from 'react';
import { AttestationView } from '../components/Attestation';
import { useTitle } from '../router';
import { Field } from '../ui';

/** Checks any DSSE envelope (pasted or from a file) against Pedigree's public keys, in this browser. */
export function Verify() {
  useTitle('Verify an attestation');
  const [text, setText] = useState('');
  const [checked, setChecked] = useState<string | null>(null);
  return (
    <section aria-labelledby="verify-title">
      <h1 id="verify-title">Verify an attestation</h1>
      <p className="muted">
        The signatures are checked here, in your browser (WebCrypto Ed25519), against the public keys the server lists.
        Nothing is sent to the server but the request for those keys.
      </p>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          setChecked(text);
        }}
      >
        <Field label="Envelope (DSSE JSON)">
          {(id) => (
            <textarea id={id} rows={8} value={text} onChange={(e) => setText(e.target.value)} spellCheck={false} />
          )}
        </Field>
        <Field label="…or a file">
          {(id) => (
            <input
              id={id}
              type="file"
              accept=".json,application/json"
              onChange={async (e) => {
                const f = e.target.files?.[0];
                if (!f) return;
                const t = await f.text();
                setText(t);
                setChecked(t);
              }}
            />
          )}
        </Field>
        <button type="submit" className="primary">
          Verify
        </button>
      </form>
      {checked && <AttestationView envelope={checked} filename="envelope.dsse.json" />}
    </section>
  );
}
