/** Shared helpers of the construct tests: a test stack with its providers, synthesis to JSON, resource look-ups. */
import 'cdktf/lib/testing/adapters/jest'; // types of the cdktf matchers (setup.ts installs them)
import { AzureadProvider } from '@cdktf/provider-azuread/lib/provider';
import { AzurermProvider } from '@cdktf/provider-azurerm/lib/provider';
import { RandomProvider } from '@cdktf/provider-random/lib/provider';
import { Testing, TerraformStack } from 'cdktf';
import { Construct } from 'constructs';
import { AzapiProvider } from '../../lib/constructs/azapi';
import { ConstructValidationError } from '../../lib/constructs/errors';

export type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** The resource group every construct test deploys into. */
export const RG = { name: 'rg-mcp', location: 'westeurope', id: '/subscriptions/0000/resourceGroups/rg-mcp' };

const PROVIDERS = {
  azurerm: (stack: TerraformStack) => new AzurermProvider(stack, 'azurerm', { features: [{}] }),
  azuread: (stack: TerraformStack) => new AzureadProvider(stack, 'azuread'),
  azapi: (stack: TerraformStack) => new AzapiProvider(stack, 'azapi'),
  random: (stack: TerraformStack) => new RandomProvider(stack, 'random'),
};

export type TestProvider = keyof typeof PROVIDERS;

/**
 * A stack `TestStack` with the named providers, added in the order given (the synthesized plan lists them in
 * that order). cdktf's validations refuse a stack whose resources have no provider.
 */
export function testStack(...providers: TestProvider[]): TerraformStack {
  const stack = new TerraformStack(Testing.app(), 'TestStack');
  for (const provider of providers) PROVIDERS[provider](stack);
  return stack;
}

export interface Synthesized {
  readonly stack: TerraformStack;
  readonly text: string;
  readonly json: Json;
}

/** Synthesizes `stack` to cdk.tf.json; with `runValidations`, cdktf's validations run first (providers present, ...). */
export function synthesize(stack: TerraformStack, runValidations = false): Synthesized {
  const text = Testing.synth(stack, runValidations);
  return { stack, text, json: JSON.parse(text) };
}

/** Fills a fresh {@link testStack} without providers with `build`, and synthesizes it without validations. */
export function synthesizeWith(build: (stack: TerraformStack) => void): Synthesized {
  const stack = testStack();
  build(stack);
  return synthesize(stack);
}

/** Resources of one Terraform type, by their logical id. */
export function resources(json: Json, type: string): Record<string, Json> {
  return json.resource?.[type] ?? {};
}

/** The only resource of `type`, as `[logical id, resource]`; the test fails unless there is exactly one. */
export function only(json: Json, type: string): [string, Json] {
  const all = Object.entries(resources(json, type));
  expect(all).toHaveLength(1);
  return all[0];
}

/** The one resource of `type` whose logical id contains `part` (construct ids are in it). */
export function named(json: Json, type: string, part: string): [string, Json] {
  const all = Object.entries(resources(json, type)).filter(([key]) => key.includes(part));
  expect(all.map(([key]) => key)).toHaveLength(1);
  return all[0];
}

/** `${<type>.<logical id>.<attribute>}` of the only resource of `type` (with `part`, of the one whose id contains it). */
export function ref(json: Json, type: string, attribute: string, part?: string): string {
  const [key] = part === undefined ? only(json, type) : named(json, type, part);
  return `\${${type}.${key}.${attribute}}`;
}

/** `${azurerm_subnet.<logical id>.id}` of the subnet named `name`. */
export function subnetId(json: Json, name: string): string {
  const [id] = Object.entries(resources(json, 'azurerm_subnet')).find(([, s]) => s.name === name)!;
  return `\${azurerm_subnet.${id}.id}`;
}

/** Runs `build` and returns the ConstructValidationError it throws; the test fails if it throws none. */
export function caught(build: () => void): ConstructValidationError {
  let error: unknown;
  try {
    build();
  } catch (e) {
    error = e;
  }
  expect(error).toBeInstanceOf(ConstructValidationError);
  return error as ConstructValidationError;
}

/**
 * Runs `build`, which creates the construct `id` under `scope` and must fail its checks, and returns the
 * ConstructValidationError. The error must name the construct's path, and nothing may exist under the
 * construct: validation runs before the first resource is created.
 */
export function refused(scope: Construct, id: string, build: () => void): ConstructValidationError {
  const error = caught(build);
  expect(error.message).toContain(`${scope.node.path}/${id}`);
  expect(scope.node.tryFindChild(id)?.node.children ?? []).toHaveLength(0);
  return error;
}
