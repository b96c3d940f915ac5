import * as cdktf from 'cdktf';
import { Construct } from 'constructs';
import { HclAttribute, azapiResourceConfig, checkJson, checkResourceType, hclDynamic, hclSimple, hclStringMap, withoutUndefined } from './shared';

/**
 * A JSON value for an azapi `body`. `null` is left out on purpose: cdktf's HCL renderer cannot print it,
 * and ARM treats an absent property the same way in the bodies we send.
 */
export type AzapiJsonValue = string | number | boolean | readonly AzapiJsonValue[] | AzapiJsonObject;

/** A JSON object for an azapi `body` (written to cdk.tf.json as an object, not as a JSON string). */
export interface AzapiJsonObject {
  readonly [key: string]: AzapiJsonValue;
}

/**
 * Which parts of the response to keep in `output`: a list of paths (`['properties.secretUri']`, `['*']`
 * for everything) or a map from result name to a JMESPath query.
 */
export type AzapiResponseExportValues = readonly string[] | { readonly [name: string]: string };

/** The managed identity of an azapi resource. */
export interface AzapiIdentity {
  readonly type: 'SystemAssigned' | 'UserAssigned' | 'SystemAssigned, UserAssigned' | 'None';
  /** User-assigned identity resource ids. @default - none */
  readonly identityIds?: string[];
}

export interface AzapiResourceConfig extends cdktf.TerraformMetaArguments {
  /** `<resource type>@<api version>`, for example `Microsoft.KeyVault/vaults/secrets@2024-11-01`. */
  readonly type: string;
  /** The resource name (changing it replaces the resource). */
  readonly name: string;
  /** The id of the parent: a resource group for top-level resources, the parent resource for children. */
  readonly parentId: string;
  /** @default - none (child resources such as secrets have no location) */
  readonly location?: string;
  /** The request body. @default {} */
  readonly body?: AzapiJsonObject;
  /**
   * Write-only properties merged into `body` for the request and never stored in state (azapi 2.4 or
   * later, Terraform 1.11 or later).
   * @default - none
   */
  readonly sensitiveBody?: AzapiJsonObject;
  /**
   * Path in `sensitiveBody` (`properties.value`) to a version string: the property is sent on create and
   * whenever its version changes, and left out of other updates.
   * @default - none: the sensitive body is sent with every create or update
   */
  readonly sensitiveBodyVersion?: { readonly [path: string]: string };
  /** @default - none: `output` is an empty object */
  readonly responseExportValues?: AzapiResponseExportValues;
  /** Validate `type` and `body` against the schema embedded in the provider. @default - provider default (true) */
  readonly schemaValidationEnabled?: boolean;
  /** Ignore properties the API does not return (secrets) when diffing. @default - provider default (true) */
  readonly ignoreMissingProperty?: boolean;
  /** @default - none */
  readonly identity?: AzapiIdentity;
  /** @default - none */
  readonly tags?: { readonly [key: string]: string };
}

/**
 * `azapi_resource`: any ARM resource, by type and api version. A small hand-written binding (there is no
 * prebuilt cdktf azapi package); bodies are typed JSON objects and reach cdk.tf.json as objects.
 */
export class AzapiResource extends cdktf.TerraformResource {
  static readonly tfResourceType = 'azapi_resource';

  readonly config: AzapiResourceConfig;

  constructor(scope: Construct, id: string, config: AzapiResourceConfig) {
    super(scope, id, azapiResourceConfig(AzapiResource.tfResourceType, config));
    checkResourceType(this, 'type', config.type);
    if (config.body !== undefined) checkJson(this, 'body', config.body);
    if (config.sensitiveBody !== undefined) checkJson(this, 'sensitiveBody', config.sensitiveBody);
    this.config = config;
  }

  /** The ARM resource id. */
  get id(): string {
    return this.getStringAttribute('id');
  }

  /** The whole `output` object (the parts of the response named in `responseExportValues`). */
  get output(): cdktf.IResolvable {
    return this.interpolationForAttribute('output');
  }

  /** One string from `output`, for example `outputString('properties.secretUri')`. */
  outputString(path: string): string {
    return cdktf.Token.asString(this.interpolationForAttribute(`output.${path}`));
  }

  /** The principal id of the system-assigned identity (set `identity`). */
  get identityPrincipalId(): string {
    return this.getStringAttribute('identity.0.principal_id');
  }

  protected synthesizeAttributes(): { [name: string]: unknown } {
    const c = this.config;
    return {
      type: c.type,
      name: c.name,
      parent_id: c.parentId,
      location: c.location,
      body: c.body,
      sensitive_body: c.sensitiveBody,
      sensitive_body_version: c.sensitiveBodyVersion,
      response_export_values: c.responseExportValues,
      schema_validation_enabled: c.schemaValidationEnabled,
      ignore_missing_property: c.ignoreMissingProperty,
      identity: identityToTerraform(c.identity),
      tags: c.tags,
    };
  }

  protected synthesizeHclAttributes(): { [name: string]: unknown } {
    const c = this.config;
    return withoutUndefined({
      type: hclSimple(c.type, 'string'),
      name: hclSimple(c.name, 'string'),
      parent_id: hclSimple(c.parentId, 'string'),
      location: hclSimple(c.location, 'string'),
      body: hclDynamic(c.body),
      sensitive_body: hclDynamic(c.sensitiveBody),
      sensitive_body_version: hclStringMap(c.sensitiveBodyVersion),
      response_export_values: hclDynamic(c.responseExportValues),
      schema_validation_enabled: hclSimple(c.schemaValidationEnabled, 'boolean'),
      ignore_missing_property: hclSimple(c.ignoreMissingProperty, 'boolean'),
      identity: identityToHcl(c.identity),
      tags: hclStringMap(c.tags),
    });
  }
}

function identityToTerraform(identity: AzapiIdentity | undefined): unknown {
  if (identity === undefined) return undefined;
  return [{ type: identity.type, identity_ids: identity.identityIds }];
}

function identityToHcl(identity: AzapiIdentity | undefined): HclAttribute | undefined {
  if (identity === undefined) return undefined;
  const inner = withoutUndefined({
    type: hclSimple(identity.type, 'string'),
    identity_ids:
      identity.identityIds === undefined
        ? undefined
        : { value: identity.identityIds, isBlock: false, type: 'list', storageClassType: 'stringList' },
  });
  return { value: [inner], isBlock: true, type: 'list', storageClassType: 'AzapiResourceIdentityList' };
}
