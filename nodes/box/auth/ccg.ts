import { HttpClient } from "../http/http";
import { requestToken } from "./token-endpoint";
import { CachingTokenSource } from "./token-source";

export interface CcgSettings {
  clientId: string;
  clientSecret: string;
  subjectType: "enterprise" | "user";
  subjectId: string;
}

/** Client Credentials Grant: no refresh token, a new access token is minted when the old one nears expiry. */
export function ccgTokenSource(http: HttpClient, origin: string, settings: CcgSettings): CachingTokenSource {
  return new CachingTokenSource(() =>
    requestToken(http, origin, {
      grant_type: "client_credentials",
      client_id: settings.clientId,
      client_secret: settings.clientSecret,
      box_subject_type: settings.subjectType,
      box_subject_id: settings.subjectId,
    }),
  );
}
