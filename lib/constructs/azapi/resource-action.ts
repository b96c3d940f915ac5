import * as cdktf from 'cdktf';
import { Construct } from 'constructs';
import { invalid } from '../errors';
import type { AzapiJsonObject, AzapiResponseExportValues } from './resource';
import { azapiResourceConfig, checkJson, checkResourceType, hclDynamic, hclSimple, withoutUndefined } from './shared';

export interface AzapiResourceActionConfig extends cdktf.TerraformMetaArguments {
  /** `<resource type>@<api version>` of the resource the action runs on. */
  readonly type: string;
  /** The id of an existing resource. */
  readonly resourceId: string;
  /** The action, for example `listKeys`; leave it out to send the request to the resource id itself. @default - none */
  readonly action?: string;
  /** @default 'POST' (provider default) */
  readonly method?: 'POST' | 'PATCH' | 'PUT' | 'DELETE';
  /** @default - no body */
  readonly body?: AzapiJsonObject;
  /** Parts of the response to keep in `output` (stored in state in the clear). @default - none */
  readonly responseExportValues?: AzapiResponseExportValues;
  /**
   * Parts of the response to keep in `sensitiveOutput`: redacted from plan output, but still stored in
   * state, like every other attribute.
   * @default - none
   */
  readonly sensitiveResponseExportValues?: AzapiResponseExportValues;
  /** Run the action on `apply` or on `destroy`. @default 'apply' (provider default) */
  readonly when?: 'apply' | 'destroy';
}

/**
 * `azapi_resource_action`: one operation on an existing resource (`listKeys`, `regenerateKey`, a PUT to
 * a child id) without managing its lifecycle.
 */
export class AzapiResourceAction extends cdktf.TerraformResource {
  static readonly tfResourceType = 'azapi_resource_action';

  readonly config: AzapiResourceActionConfig;

  constructor(scope: Construct, id: string, config: AzapiResourceActionConfig) {
    super(scope, id, azapiResourceConfig(AzapiResourceAction.tfResourceType, config));
    checkResourceType(this, 'type', config.type);
    if (config.method !== undefined && !['POST', 'PATCH', 'PUT', 'DELETE'].includes(config.method)) {
      invalid(this, 'method', config.method, 'one of POST, PATCH, PUT, DELETE');
    }
    if (config.body !== undefined) checkJson(this, 'body', config.body);
    this.config = config;
  }

  get id(): string {
    return this.getStringAttribute('id');
  }

  /** The parts of the response named in `responseExportValues`. */
  get output(): cdktf.IResolvable {
    return this.interpolationForAttribute('output');
  }

  /** The parts of the response named in `sensitiveResponseExportValues` (a sensitive value). */
  get sensitiveOutput(): cdktf.IResolvable {
    return this.interpolationForAttribute('sensitive_output');
  }

  /** One string from `output`, for example `outputString('properties.provisioningState')`. */
  outputString(path: string): string {
    return cdktf.Token.asString(this.interpolationForAttribute(`output.${path}`));
  }

  /** One string from `sensitiveOutput`, for example `sensitiveOutputString('primaryKey')`. */
  sensitiveOutputString(path: string): string {
    return cdktf.Token.asString(this.interpolationForAttribute(`sensitive_output.${path}`));
  }

  protected synthesizeAttributes(): { [name: string]: unknown } {
    const c = this.config;
    return {
      type: c.type,
      resource_id: c.resourceId,
      action: c.action,
      method: c.method,
      body: c.body,
      response_export_values: c.responseExportValues,
      sensitive_response_export_values: c.sensitiveResponseExportValues,
      when: c.when,
    };
  }

  protected synthesizeHclAttributes(): { [name: string]: unknown } {
    const c = this.config;
    return withoutUndefined({
      type: hclSimple(c.type, 'string'),
      resource_id: hclSimple(c.resourceId, 'string'),
      action: hclSimple(c.action, 'string'),
      method: hclSimple(c.method, 'string'),
      body: hclDynamic(c.body),
      response_export_values: hclDynamic(c.responseExportValues),
      sensitive_response_export_values: hclDynamic(c.sensitiveResponseExportValues),
      when: hclSimple(c.when, 'string'),
    });
  }
}
