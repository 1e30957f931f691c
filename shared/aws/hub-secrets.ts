// Secrets Manager adapter for the admin side of the hub's secrets: the webhook secret with its rotation state, and
// the access tokens (the functions only read them, through Powertools, in webhook-secrets / access-tokens).
import {
  CreateSecretCommand,
  DeleteSecretCommand,
  GetSecretValueCommand,
  PutSecretValueCommand,
  type SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { randomBytes } from 'node:crypto';
import { tokenSecretNameOf, type TokenHolder } from './access-tokens';
import { MalformedWebhookSecretError, SecretScheduledForDeletionError } from './errors';

/**
 * The stored webhook secret: the verifier accepts `current` and, during a rotation, `previous`. `rotatedAt` is
 * the CLI's own bookkeeping (the verifier ignores unknown keys): when the last rotation started.
 */
export interface WebhookSecretState {
  readonly current: string;
  readonly previous: string;
  readonly rotatedAt?: string;
}

/** A new webhook secret: 48 hex characters (letters and digits, within Bitbucket's 128-character limit). */
export function generateWebhookSecret(): string {
  return randomBytes(24).toString('hex');
}

/** Reads and writes the hub's secrets in Secrets Manager: the webhook secret and the Bitbucket access tokens. */
export class HubSecrets {
  constructor(
    private readonly client: SecretsManagerClient,
    private readonly webhookSecretId: string,
    private readonly tokenSecretPrefix: string,
  ) {}

  async readWebhookSecret(): Promise<WebhookSecretState | undefined> {
    const value = await this.read(this.webhookSecretId);
    if (value === undefined) return undefined;
    let parsed: Partial<Record<keyof WebhookSecretState, unknown>>;
    try {
      parsed = JSON.parse(value) as typeof parsed;
    } catch {
      throw new MalformedWebhookSecretError(this.webhookSecretId);
    }
    return {
      current: typeof parsed.current === 'string' ? parsed.current : '',
      previous: typeof parsed.previous === 'string' ? parsed.previous : '',
      ...(typeof parsed.rotatedAt === 'string' ? { rotatedAt: parsed.rotatedAt } : {}),
    };
  }

  async writeWebhookSecret(state: WebhookSecretState): Promise<void> {
    const value = JSON.stringify(state);
    try {
      await this.client.send(new PutSecretValueCommand({ SecretId: this.webhookSecretId, SecretString: value }));
    } catch (error) {
      if ((error as Error).name !== 'ResourceNotFoundException') throw error;
      await this.client.send(new CreateSecretCommand({ Name: this.webhookSecretId, SecretString: value }));
    }
  }

  /**
   * The secret name of a token: `holder` is a repository (its `tokenId`, else its uuid), a `{ uuid, tokenId }`
   * reference to a stored token, or a bare repository uuid (the per-repository layout).
   */
  tokenSecretName(holder: TokenHolder | string): string {
    return tokenSecretNameOf(this.tokenSecretPrefix, typeof holder === 'string' ? { uuid: holder } : holder);
  }

  async readToken(holder: TokenHolder | string): Promise<string | undefined> {
    return (await this.read(this.tokenSecretName(holder)))?.trim() || undefined;
  }

  /** Stores (or replaces) an access token. */
  async putToken(holder: TokenHolder | string, token: string): Promise<void> {
    const name = this.tokenSecretName(holder);
    try {
      await this.client.send(
        new CreateSecretCommand({ Name: name, SecretString: token, Description: 'Bitbucket access token (model-hub-sync)' }),
      );
    } catch (error) {
      const { name: errorName, message } = error as Error;
      if (errorName === 'ResourceExistsException') {
        await this.client.send(new PutSecretValueCommand({ SecretId: name, SecretString: token }));
        return;
      }
      if (errorName === 'InvalidRequestException' && /deletion/i.test(message)) {
        throw new SecretScheduledForDeletionError(name, { cause: error });
      }
      throw error;
    }
  }

  /** Deletes an access token at once (no recovery window: re-adding the repository must not collide). */
  async deleteToken(holder: TokenHolder | string): Promise<boolean> {
    try {
      await this.client.send(new DeleteSecretCommand({ SecretId: this.tokenSecretName(holder), ForceDeleteWithoutRecovery: true }));
      return true;
    } catch (error) {
      if ((error as Error).name === 'ResourceNotFoundException') return false;
      throw error;
    }
  }

  private async read(secretId: string): Promise<string | undefined> {
    try {
      const { SecretString } = await this.client.send(new GetSecretValueCommand({ SecretId: secretId }));
      return SecretString;
    } catch (error) {
      if ((error as Error).name === 'ResourceNotFoundException') return undefined;
      throw error;
    }
  }
}
