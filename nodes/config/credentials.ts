/** The config node's credentials (Node-RED's credential store, never in the flow JSON), as the contract names them. */
export const CREDENTIALS = {
  clientId: { type: "text" },
  clientSecret: { type: "password" },
  accessToken: { type: "password" },
  refreshToken: { type: "password" },
  jwtConfig: { type: "password" },
} as const;

export type CredentialKey = keyof typeof CREDENTIALS;
export type BoxCredentials = Record<CredentialKey, string | undefined>;

export const CREDENTIAL_KEYS = Object.keys(CREDENTIALS) as CredentialKey[];
