// The settings and credentials API; other modules import from here.
export { DEFAULT_SETTINGS_PATH, isInteractiveTerminal, readRuntimeEnv, settingsPathFrom, SETTINGS_ENV_VAR } from './env.js';
export type { ManualAggregationEngine, RuntimeEnv } from './env.js';
export { loadSettings, resetSettingsCache } from './load-settings.js';
export { parseSettings } from './parse-settings.js';
export { SettingsError } from './problems.js';
export { DEFAULT_DATABASE_URL, DEPRECATED_KEYS } from './settings-schema.js';
export { PIVOT_METRICS } from './settings-types.js';
export type { AuthRole, LoadedSettings, PivotMetric, ReportSummaryPivot, Settings, VcenterSetting } from './settings-types.js';
export { readVcenterLogins, readVcenterPassword, resolveVcenterLogins, resolveVcenterPassword } from './credentials.js';
export type { CredentialOptions, PasswordForm, ReadLogin, ReadPassword } from './credentials.js';
export type { VcenterLogin } from '../core/vcenter-logins.js';
export { findIgnoredKeys, IGNORED_KEY_REASONS, ignoredKeysOf, ignoredKeyWarnings } from './ignored-keys.js';
export type { IgnoredKey } from './ignored-keys.js';
export { activeKey, fallbackKeys, systemHostIdentity } from './encryption-keys.js';
export type { HostIdentitySource } from './encryption-keys.js';
export { decryptSecret, ENC_PREFIX, encryptSecret, tryDecryptLegacy } from './secret-box.js';
