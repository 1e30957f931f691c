// The console's deploy-time settings, written by the stack as `/console/config.json` next to the console's assets:
// the one seam between the deployed console and the stack (where the APIs are, how to sign in).

/** Version of the config.json shape; a change a console cannot read raises it. */
export const CONSOLE_CONFIG_SCHEMA_VERSION = 1;

/** `/console/config.json` as the stack writes it (values resolved at deploy time). */
export interface ConsoleConfig {
  readonly schemaVersion: typeof CONSOLE_CONFIG_SCHEMA_VERSION;
  /** The admin API, on the console's own origin (CloudFront routes `/gateway/admin/*` to the HTTP API): a path. */
  readonly adminApiBaseUrl: string;
  /** The read API's absolute URL (SigV4 or its own JWT authorizer; not routed through CloudFront). */
  readonly readApiBaseUrl: string;
  /** OpenID Connect sign-in: authorization code flow with PKCE, public client. */
  readonly auth: {
    /** The tokens' issuer; its `/.well-known/openid-configuration` names the endpoints when `endpoints` is absent. */
    readonly issuer: string;
    readonly clientId: string;
    /** Where the provider sends the browser back: the console's URL. */
    readonly redirectUri: string;
    readonly scopes: readonly string[];
    /** Group the admin API requires (`cognito:groups` or `groups` claim), for a clear message when it is missing. */
    readonly adminGroup: string;
    /** Cognito's endpoints (its discovery document has no end-session endpoint); absent with another OIDC provider. */
    readonly endpoints?: { readonly authorization: string; readonly token: string; readonly endSession: string };
  };
}
