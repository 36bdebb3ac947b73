import { z } from 'zod';
import { configSchema } from './schema.js';

/** The JSON Schema of the config file (editors validate YAML against it), from the same zod schema. */
export function configJsonSchema(): unknown {
  return { ...z.toJSONSchema(configSchema, { io: 'input' }), title: 'hallq configuration' };
}
