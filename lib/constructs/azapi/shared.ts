/** What the resources of this binding share: provider pairing, input checks, HCL attribute rendering. */
import * as cdktf from 'cdktf';
import { Construct } from 'constructs';
import { invalid } from '../errors';
import { AZAPI_GENERATOR_METADATA } from './provider';
import type { AzapiJsonValue, AzapiResponseExportValues } from './resource';

/** @internal The resource settings of an azapi resource type: its meta-arguments, paired with {@link AzapiProvider}. */
export function azapiResourceConfig(terraformResourceType: string, config: cdktf.TerraformMetaArguments): cdktf.TerraformResourceConfig {
  return {
    terraformResourceType,
    terraformGeneratorMetadata: AZAPI_GENERATOR_METADATA,
    provider: config.provider,
    dependsOn: config.dependsOn,
    count: config.count,
    lifecycle: config.lifecycle,
    provisioners: config.provisioners,
    connection: config.connection,
    forEach: config.forEach,
  };
}

/** @internal */
export function checkResourceType(scope: Construct, property: string, type: string): void {
  if (cdktf.Token.isUnresolved(type)) return;
  if (!/^[A-Za-z0-9]+(\.[A-Za-z0-9]+)+\/[A-Za-z0-9]+(\/[A-Za-z0-9]+)*@\d{4}-\d{2}-\d{2}(-[a-z]+)?$/.test(type)) {
    invalid(scope, property, type, 'a resource type with its api version, for example "Microsoft.KeyVault/vaults/secrets@2024-11-01"');
  }
}

/** @internal Refuses what the JSON and HCL renderers cannot print (null, undefined, NaN, functions). */
export function checkJson(scope: Construct, property: string, value: unknown, path = property): void {
  if (typeof value === 'string' || typeof value === 'boolean') return;
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) invalid(scope, path, value, 'a finite number');
    return;
  }
  if (Array.isArray(value)) {
    value.forEach((v, i) => checkJson(scope, property, v, `${path}[${i}]`));
    return;
  }
  if (value !== null && typeof value === 'object' && !cdktf.Tokenization.isResolvable(value)) {
    for (const [k, v] of Object.entries(value)) checkJson(scope, property, v, `${path}.${k}`);
    return;
  }
  if (cdktf.Tokenization.isResolvable(value)) return;
  invalid(scope, path, value, 'a string, number, boolean, array or object (leave a property out instead of null)');
}

/** @internal */
export type HclAttribute = { value: unknown; isBlock: boolean; type: string; storageClassType: string };

/** @internal */
export function hclSimple(value: string | boolean | number | undefined, storageClassType: 'string' | 'boolean' | 'number'): HclAttribute | undefined {
  return value === undefined ? undefined : { value, isBlock: false, type: 'simple', storageClassType };
}

/** @internal */
export function hclStringMap(value: { readonly [key: string]: string } | undefined): HclAttribute | undefined {
  return value === undefined ? undefined : { value, isBlock: false, type: 'map', storageClassType: 'stringMap' };
}

/**
 * @internal A dynamic (any-typed) attribute for `cdktf synth --hcl`. cdktf prints these with its "fuzzy"
 * renderer, which would print a string such as `"42"` or `"[x]"` without quotes; pre-quoting every plain
 * string (the renderer keeps strings that start with `"` verbatim) keeps them strings. Token strings are
 * left for cdktf to resolve into `${...}` references.
 */
export function hclDynamic(value: AzapiJsonValue | AzapiResponseExportValues | undefined): HclAttribute | undefined {
  return value === undefined ? undefined : { value: quoteStrings(value), isBlock: false, type: 'any', storageClassType: 'any' };
}

function quoteStrings(value: unknown): unknown {
  if (typeof value === 'string') return cdktf.Token.isUnresolved(value) ? value : JSON.stringify(value);
  if (Array.isArray(value)) return value.map(quoteStrings);
  if (value !== null && typeof value === 'object' && !cdktf.Tokenization.isResolvable(value)) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, quoteStrings(v)]));
  }
  return value;
}

/** @internal */
export function withoutUndefined(attrs: Record<string, HclAttribute | undefined>): Record<string, HclAttribute> {
  return Object.fromEntries(Object.entries(attrs).filter((e): e is [string, HclAttribute] => e[1] !== undefined));
}
