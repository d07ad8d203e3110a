// Writes the SDL that type-graphql builds to schema/schema.graphql (npm run schema:emit).
import { writeFileSync } from 'node:fs';
import { emitSdl } from '../src/schema/index.js';

const sdl = await emitSdl();
writeFileSync(new URL('../schema/schema.graphql', import.meta.url), sdl);
console.log(`schema/schema.graphql written (${sdl.split('\n').length} lines)`);
