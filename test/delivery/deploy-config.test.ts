import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { validateConfig } from '../../src/config/load.js';

const DEPLOY = join(import.meta.dirname, '..', '..', 'deploy');

describe('deploy/configmap.yaml', () => {
  it('holds a config file that `eventide run --config` accepts as is', () => {
    const cm = parse(readFileSync(join(DEPLOY, 'configmap.yaml'), 'utf8')) as { data: Record<string, string> };
    const config = validateConfig(parse(cm.data['config.yaml'] as string), 'deploy/configmap.yaml');
    expect(config.delivery.checkpoint.type).toBe('configmap');
    expect(config.server.port).toBe(9464);
  });
});
