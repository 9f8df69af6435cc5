// POST /api/encrypt: what `vctp encrypt` prints, for a value sent in the body: an `enc:v1:` value for
// settings.vcenter_password under the key this server decrypts it with (src/app/encrypt.ts, the
// same code). The plaintext is never logged, and neither answer may be cached.
import { z } from '@hono/zod-openapi';
import { encryptPassword } from '../../app/encrypt.js';
import { operation } from '../operation.js';

const NO_STORE = { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' };

export const encrypt = operation({
  summary: 'Encrypt a value for settings.vcenter_password (vctp encrypt)',
  description: "Answers the enc:v1: form of the value under this server's encryption key (settings.encryption_key, else the host's). Values of 2 characters or fewer are refused, as the settings file refuses them.",
  tags: ['admin'],
  body: z.object({ value: z.string().min(1).openapi({ description: 'The plaintext (never logged)', example: 'vcenter-password' }) }).strict(),
  response: z.object({ value: z.string().openapi({ example: 'enc:v1:...' }) }).openapi('EncryptedValue'),
  async handle({ body, deps }) {
    const value = encryptPassword(body.value, deps.settings);
    return new Response(JSON.stringify({ value }), { status: 200, headers: NO_STORE });
  },
});
