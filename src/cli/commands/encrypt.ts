// `vctp encrypt`: turns a password into the `enc:v1:` value to paste into settings.vcenter_password
// or a settings.vcenters[].password,
// encrypted with the key that this host (or settings.encryption_key) gives. Prompts without echo
// on a terminal; otherwise reads the first line of stdin, so scripts can pipe the password in.
import { password } from '@inquirer/prompts';
import { encryptPassword } from '../../app/encrypt.js';
import type { Settings } from '../../app/runtime.js';

export interface EncryptInput {
  /** Null when there is no settings file: the host-derived key is used. */
  settings: Settings | null;
  stdin: NodeJS.ReadableStream;
  isTTY: boolean;
}

export async function runEncrypt(input: EncryptInput): Promise<string> {
  const plain = input.isTTY
    ? // The prompt goes to stderr so that stdout carries only the value.
      await password({ message: 'vCenter password', mask: false }, { input: input.stdin, output: process.stderr })
    : await readFirstLine(input.stdin);
  return encryptPassword(plain, input.settings);
}

/** The first line of `stream`, without its line ending; also `vctp init --vcenter-password -`. */
export async function readFirstLine(stream: NodeJS.ReadableStream): Promise<string> {
  let text = '';
  for await (const chunk of stream) {
    text += typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
    if (text.includes('\n')) break; // a password is one line; do not wait for EOF
  }
  const newline = text.indexOf('\n');
  const line = newline === -1 ? text : text.slice(0, newline);
  return line.endsWith('\r') ? line.slice(0, -1) : line;
}
