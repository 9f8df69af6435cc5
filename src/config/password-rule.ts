// The spec's one rule on the form of settings.vcenter_password: a plaintext value of 2 characters
// or fewer is rejected. An `enc:v1:` value and legacy ciphertext (base64 of at least 28 bytes) are
// always longer, so the rule needs no decryption and the loader applies it to the value as written;
// credentials.ts applies it again to what it resolved.

/** Counted in characters, not UTF-16 units, so "é" is one. */
export function isTooShortPlaintext(value: string): boolean {
  return [...value].length <= 2;
}

export const TOO_SHORT_PLAINTEXT = 'plaintext values of 2 characters or fewer are rejected';
