/** `npm run openapi`: writes docs/openapi.json (hall server) and docs/openapi-kiosk.json from the routes' zod schemas. */
import { writeFileSync } from 'node:fs';
import { openApiDocuments, openApiText } from '../src/server/openapi-doc.js';

const docs = await openApiDocuments();
writeFileSync(new URL('../docs/openapi.json', import.meta.url), openApiText(docs.server));
writeFileSync(new URL('../docs/openapi-kiosk.json', import.meta.url), openApiText(docs.kiosk));
console.log('docs/openapi.json, docs/openapi-kiosk.json');
