import { useState } from 'react';
import { gql } from '../api';
import { PromotionCard, REQUEST_FIELDS, type PromotionRequest } from '../components/PromotionCard';
import { PROMOTION_EVENT_TYPES, useRegistryEvents } from '../live';
import { useTitle } from '../router';
import { useSession } from '../session';
import { ErrorBox, LiveBadge, useAsync } from '../ui';

export const INBOX = `query Inbox($first: Int, $after: String) {
  promotionRequests(filter: { approvableByViewer: true }, first: $first, after: $after) {
    edges { node { ${REQUEST_FIELDS} } }
    pageInfo { hasNextPage endCursor }
  }
}`;
const PAGE = 20;

type InboxPage = {
  promotionRequests: {
    edges: { node: PromotionRequest }[];
    pageInfo: { hasNextPage: boolean; endCursor: string | null };
  };
};

/**
 * The promotions inbox: the pending requests the signed-in principal may
 * approve now (the server decides which, by the rules approvePromotion
 * applies), oldest first, each with its evidence, the metric diff against
 * what its target points to now and the gate its approval will meet.
 */
export function Inbox() {
  useTitle('Inbox');
  const { viewer } = useSession();
  const [tick, setTick] = useState(0);
  const [pages, setPages] = useState(1);
  const mode = useRegistryEvents(
    PROMOTION_EVENT_TYPES,
    () => true,
    () => setTick((t) => t + 1),
    () => setTick((t) => t + 1),
  );
  const q = useAsync(
    async () => {
      // Every page loaded so far, again: approvals elsewhere change which requests belong here.
      const items: PromotionRequest[] = [];
      let after: string | null = null;
      let more = false;
      for (let i = 0; i < pages; i++) {
        const r: InboxPage = await gql<InboxPage>(INBOX, { first: PAGE, after });
        items.push(...r.promotionRequests.edges.map((e) => e.node));
        more = r.promotionRequests.pageInfo.hasNextPage;
        after = r.promotionRequests.pageInfo.endCursor;
        if (!more) break;
      }
      return { items, more };
    },
    [],
    `${tick}/${pages}`,
  );
  const items = q.data?.items ?? [];
  return (
    <section aria-labelledby="inbox-title">
      <h1 id="inbox-title">
        Promotions inbox <LiveBadge mode={mode} />
      </h1>
      <p className="muted">
        {viewer ? (
          <>
            Requests {viewer.name} ({viewer.role.toLowerCase()}) may approve now, oldest first.
          </>
        ) : (
          'Paste a token to see the requests you may approve.'
        )}
      </p>
      <ErrorBox error={q.error} />
      {q.data && items.length === 0 && <p data-testid="inbox-empty">Nothing waits for you.</p>}
      <div data-testid="inbox">
        {items.map((r) => (
          <PromotionCard key={r.id} r={r} headingLevel={2} />
        ))}
      </div>
      {q.data?.more && (
        <button type="button" onClick={() => setPages((p) => p + 1)}>
          newer requests →
        </button>
      )}
    </section>
  );
}
