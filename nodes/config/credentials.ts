/** The config node's credentials (Node-RED's credential store, never in the flow JSON), as the contract names them. */
export const CREDENTIALS = {
  clientId: { type: "text" },
  clientSecret: { type: "password" },
  accessToken: { type: "password" },
  refreshToken: { type: "password" },
  jwtConfig: { type: "password" },
  redisUrl: { type: "password" },
} as const;

export type CredentialKey = keyof typeof CREDENTIALS;
export type BoxCredentials = Record<CredentialKey, string | undefined>;

/** The credentials that sign in to Box: the Redis URL of coordination never goes to Box or into the auth settings. */
export const CREDENTIAL_KEYS = (Object.keys(CREDENTIALS) as CredentialKey[]).filter((key) => key !== "redisUrl");

/** The Box sign-in credentials alone. */
export function boxCredentials<T extends Partial<BoxCredentials>>(credentials: T): Omit<T, "redisUrl"> {
  const { redisUrl, ...rest } = credentials;
  return rest;
}
