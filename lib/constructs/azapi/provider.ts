import * as cdktf from 'cdktf';
import { Construct } from 'constructs';

/** Where the azapi provider comes from and which releases we accept. */
export const AZAPI_PROVIDER_SOURCE = 'azure/azapi';
/**
 * `~> 2.5` accepts 2.5 and later 2.x releases. `sensitive_body` (write-only) needs 2.4 or later; 3.0 will
 * make the api-version mandatory on import, so we stay on 2.x until we have tested it.
 */
export const AZAPI_PROVIDER_VERSION_CONSTRAINT = '~> 2.5';

/** @internal Shared by the resources of this binding so cdktf pairs them with {@link AzapiProvider}. */
export const AZAPI_GENERATOR_METADATA: cdktf.TerraformProviderGeneratorMetadata = {
  providerName: 'azapi',
  providerVersionConstraint: AZAPI_PROVIDER_VERSION_CONSTRAINT,
};

/**
 * Provider settings. Leave them out to authenticate the way the azurerm provider does on a workstation
 * (Azure CLI); see the azapi provider documentation for the environment variables it reads.
 */
export interface AzapiProviderConfig {
  /** Provider alias, for more than one azapi provider in a stack. @default - the default provider */
  readonly alias?: string;
  /** @default - ARM_SUBSCRIPTION_ID or the Azure CLI default subscription */
  readonly subscriptionId?: string;
  /** @default - ARM_TENANT_ID or the Azure CLI tenant */
  readonly tenantId?: string;
  /** @default - ARM_CLIENT_ID */
  readonly clientId?: string;
  /** `public`, `usgovernment` or `china`. @default 'public' */
  readonly environment?: string;
  /** @default - the provider default (true) */
  readonly useCli?: boolean;
  /** @default - the provider default (false) */
  readonly useMsi?: boolean;
  /** @default - the provider default (false) */
  readonly useOidc?: boolean;
  /** Location for resources that set none. @default - none */
  readonly defaultLocation?: string;
  /** @default - the provider default (false) */
  readonly skipProviderRegistration?: boolean;
}

/**
 * The `azure/azapi` provider (there is no prebuilt cdktf binding for it). Add one to every stack that
 * uses {@link AzapiResource} or {@link AzapiResourceAction}: cdktf refuses to synthesize without it.
 */
export class AzapiProvider extends cdktf.TerraformProvider {
  static readonly tfResourceType = 'azapi';

  private readonly config: AzapiProviderConfig;
  private _alias?: string;

  constructor(scope: Construct, id: string, config: AzapiProviderConfig = {}) {
    super(scope, id, {
      terraformResourceType: 'azapi',
      terraformGeneratorMetadata: AZAPI_GENERATOR_METADATA,
      terraformProviderSource: AZAPI_PROVIDER_SOURCE,
    });
    this.config = config;
    this._alias = config.alias;
  }

  // The base class keeps no alias of its own: every provider binding overrides these.
  get alias(): string | undefined {
    return this._alias;
  }

  set alias(value: string | undefined) {
    this._alias = value;
  }

  protected synthesizeAttributes(): { [name: string]: unknown } {
    return {
      alias: this._alias,
      subscription_id: this.config.subscriptionId,
      tenant_id: this.config.tenantId,
      client_id: this.config.clientId,
      environment: this.config.environment,
      use_cli: this.config.useCli,
      use_msi: this.config.useMsi,
      use_oidc: this.config.useOidc,
      default_location: this.config.defaultLocation,
      skip_provider_registration: this.config.skipProviderRegistration,
    };
  }

  protected synthesizeHclAttributes(): { [name: string]: unknown } {
    const attrs: Record<string, { value: unknown; isBlock: false; type: 'simple'; storageClassType: string }> = {
      alias: simple(this._alias, 'string'),
      subscription_id: simple(this.config.subscriptionId, 'string'),
      tenant_id: simple(this.config.tenantId, 'string'),
      client_id: simple(this.config.clientId, 'string'),
      environment: simple(this.config.environment, 'string'),
      use_cli: simple(this.config.useCli, 'boolean'),
      use_msi: simple(this.config.useMsi, 'boolean'),
      use_oidc: simple(this.config.useOidc, 'boolean'),
      default_location: simple(this.config.defaultLocation, 'string'),
      skip_provider_registration: simple(this.config.skipProviderRegistration, 'boolean'),
    };
    return Object.fromEntries(Object.entries(attrs).filter(([, v]) => v.value !== undefined));
  }
}

function simple(value: unknown, storageClassType: 'string' | 'boolean') {
  return { value, isBlock: false as const, type: 'simple' as const, storageClassType };
}
