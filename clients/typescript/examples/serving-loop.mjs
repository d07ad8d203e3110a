// Serve the version behind an alias and reload when the alias moves.
// PEDIGREE_URL and PEDIGREE_TOKEN come from the environment.
import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PedigreeClient } from '@pedigree/client';

const [model = 'fraud', alias = 'production'] = process.argv.slice(2);
const client = new PedigreeClient();
const predictions = client.predictionLogger({ deployment: `${model}-api` });
let serving = null; // { version, weights }

// The first call is the alias's current version (type CURRENT), then every move, exactly once, in order.
client.watch(model, alias, async (change) => {
  if (change.version === null) return console.log(`${model}@${alias} was deleted; still serving version ${serving?.version}`);
  // Verified against the registry's SHA-256 while it streams: a mismatch throws and leaves no file behind.
  const { dir, files } = await client.download(`models:/${model}/${change.version}`, join('models', model, String(change.version)));
  serving = { version: change.version, weights: await readFile(join(dir, files[0])) };
  console.log(`serving ${model} version ${change.version} (sequence ${change.sequence})`);
}, { onError: (err) => console.error(`reload failed: ${err.code}: ${err.message}`) });

// A stand-in for request handling: every prediction is logged with the version that made it.
const requests = setInterval(() => {
  if (serving) predictions.log(randomUUID(), `models:/${model}/${serving.version}`);
}, 100);

process.on('SIGTERM', async () => {
  clearInterval(requests); // stop serving first: a closed logger refuses log()
  await client.close(); // sends the predictions still buffered
  process.exit(0);
});
