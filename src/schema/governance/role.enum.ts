import { registerEnumType } from 'type-graphql';
import { Role } from '../../governance/roles.js';

registerEnumType(Role, {
  name: 'Role',
  description: 'What a principal may do; cumulative, weakest first (see src/governance/policy.ts).',
  valuesConfig: {
    VIEWER: { description: 'Queries and subscriptions.' },
    CONTRIBUTOR: {
      description:
        'Register models, versions, runs, datasets, predictions; tags; unprotected aliases; DEVELOPMENT → STAGING.',
    },
    REVIEWER: { description: 'Approve or reject promotions; roll back aliases.' },
    ADMIN: { description: 'Tokens, owners, gate configuration, protected aliases, webhooks.' },
  },
});

export { Role };
