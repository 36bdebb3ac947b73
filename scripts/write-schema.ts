// Writes config/hallq.schema.json from the one config schema (src/config/schema.ts).
import { writeFileSync } from 'node:fs';
import { configJsonSchema } from '../src/config/json-schema.js';

writeFileSync(new URL('../config/hallq.schema.json', import.meta.url), `${JSON.stringify(configJsonSchema(), null, 2)}\n`);
