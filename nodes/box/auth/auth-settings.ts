import { BoxError } from "../errors";
import { reason, ReasonKey } from "../reasons";
import { HttpClient } from "../http/http";
import { ccgTokenSource } from "./ccg";
import { jwtTokenSource, JwtSubject, parseJwtConfig } from "./jwt";
import { OAuth2TokenSource } from "./oauth2";
import { DeveloperTokenSource, TokenSource } from "./token-source";
import { TokenStore } from "./token-store";

export type AuthType = "ccg" | "jwt" | "oauth2" | "developerToken";

/** The config node's properties and credentials, as the contract names them. */
export interface AuthSettings {
  authType: AuthType;
  subjectType?: SubjectType;
  subjectId?: string;
  clientId?: string;
  clientSecret?: string;
  accessToken?: string;
  refreshToken?: string;
  jwtConfig?: string;
}

export type SubjectType = "enterprise" | "user";

/** Whose account a CCG or JWT token acts for: a managed user when asked, else the enterprise (the default). */
export function subjectTypeOf(value: unknown): SubjectType {
  return value === "user" ? "user" : "enterprise";
}

/** What `oauth2` needs beyond the settings: where its rotating tokens live. */
export interface OAuth2Context {
  store: TokenStore;
  nodeId: string;
  onPersistError?: (err: Error) => void;
}

/** Builds the token source for the chosen auth type, or says in a few words what is missing. */
export function createTokenSource(
  settings: AuthSettings,
  http: HttpClient,
  origin: string,
  oauth2?: OAuth2Context,
): TokenSource {
  const need = (value: string | undefined, missing: ReasonKey): string => {
    if (!value || !value.trim()) throw new BoxError("config", reason(missing));
    return value.trim();
  };
  switch (settings.authType) {
    case "developerToken":
      return new DeveloperTokenSource(need(settings.accessToken, "missingDeveloperToken"));
    case "ccg":
      return ccgTokenSource(http, origin, {
        clientId: need(settings.clientId, "missingClientId"),
        clientSecret: need(settings.clientSecret, "missingClientSecret"),
        subjectType: subjectTypeOf(settings.subjectType),
        subjectId: need(settings.subjectId, settings.subjectType === "user" ? "missingUserId" : "missingEnterpriseId"),
      });
    case "jwt": {
      const app = parseJwtConfig(need(settings.jwtConfig, "missingJwtConfig"));
      const override = settings.subjectId?.trim();
      const subject: JwtSubject = override
        ? { type: subjectTypeOf(settings.subjectType), id: override }
        : { type: "enterprise", id: need(app.enterpriseId, "missingJwtEnterpriseId") };
      return jwtTokenSource(http, origin, app, subject);
    }
    case "oauth2":
      if (!oauth2) throw new BoxError("config", reason("oauth2NeedsStore"));
      return new OAuth2TokenSource({
        http,
        origin,
        client: {
          clientId: need(settings.clientId, "missingClientId"),
          clientSecret: need(settings.clientSecret, "missingClientSecret"),
        },
        store: oauth2.store,
        nodeId: oauth2.nodeId,
        pasted: { accessToken: settings.accessToken, refreshToken: settings.refreshToken },
        onPersistError: oauth2.onPersistError,
      });
    default:
      // the value is not quoted: Node-RED may have resolved it from a `${NAME}` holding a secret
      throw new BoxError("config", reason("unknownAuthType"));
  }
}
