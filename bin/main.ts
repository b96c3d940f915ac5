#!/usr/bin/env node
/**
 * The reference deployment: one `SecureMcpGateway` with MCP servers behind it, alternating Azure Functions and
 * App Service (two by default), settings from the environment or `cdktf.json` context (bin/settings.ts).
 *
 *   npm run synth                                   # cdktf.out/stacks/azure-mcp-gateway/cdk.tf.json
 *   MCP_SERVER_COUNT=10 MCP_LOCK_DOWN=true npm run synth
 *
 * `buildApp` and `synthesize` build the same app in process, for the tests and the synth benchmark.
 */
import * as fs from 'fs';
import * as path from 'path';
import { App, AzurermBackend, LocalBackend, TerraformOutput, TerraformStack } from 'cdktf';
import { Construct } from 'constructs';
import { AzureadProvider } from '@cdktf/provider-azuread/lib/provider';
import { AzurermProvider } from '@cdktf/provider-azurerm/lib/provider';
import { RandomProvider } from '@cdktf/provider-random/lib/provider';
import { AzapiProvider } from '../lib/constructs/azapi';
import { AZURE_CLI_CLIENT_ID, MCP_TOOLS_SCOPE } from '../lib/constructs/entra';
import { ConstructValidationError } from '../lib/constructs/errors';
import { SecureMcpGateway } from '../lib/constructs/secure-mcp-gateway';
import { Settings, SettingsError, readSettings } from './settings';

/** The stack id: CI reads cdktf.out/stacks/azure-mcp-gateway/cdk.tf.json. */
export const STACK_NAME = 'azure-mcp-gateway';

/**
 * Local state, relative to the directory Terraform runs in (`cdktf.out/stacks/azure-mcp-gateway`): the project
 * root, where cdktf puts it by default. cdktf's own default is an absolute path, which would make the plan differ
 * between checkouts.
 */
export const LOCAL_STATE_PATH = `../../../terraform.${STACK_NAME}.tfstate`;

/** The Node.js and App Service runtimes of the reference servers. */
export const FUNCTIONS_RUNTIME = { runtimeName: 'node', runtimeVersion: '22' } as const;
export const APP_SERVICE_RUNTIME = { runtimeName: 'node', runtimeVersion: '22-lts', startupCommand: 'node dist/server.js' } as const;

/** The reference servers in order: `func-1`, `app-1`, `func-2`, ... */
export function serverPlan(count: number): { name: string; kind: 'functions' | 'app-service' }[] {
  return Array.from({ length: count }, (_, i) => {
    const n = Math.floor(i / 2) + 1;
    return i % 2 === 0 ? { name: `func-${n}`, kind: 'functions' as const } : { name: `app-${n}`, kind: 'app-service' as const };
  });
}

/** The reference stack: providers, state, the secure gateway with its servers, and the outputs. */
export class ReferenceStack extends TerraformStack {
  readonly mcp: SecureMcpGateway;
  readonly settings: Settings;

  constructor(scope: Construct, id: string, settings: Settings) {
    super(scope, id);
    this.settings = settings;

    new AzurermProvider(this, 'azurerm', {
      features: [
        {
          // The storage accounts refuse public data-plane traffic: no data-plane reads (docs/constructs/backends.md).
          storage: [{ dataPlaneAvailable: false }],
          // Purge protection is on: a destroy leaves the vault soft-deleted, and a redeploy of the name recovers it.
          keyVault: [{ purgeSoftDeleteOnDestroy: false, recoverSoftDeletedKeyVaults: true }],
        },
      ],
    });
    new AzureadProvider(this, 'azuread');
    new AzapiProvider(this, 'azapi');
    new RandomProvider(this, 'random');

    const remote = settings.remoteState;
    if (remote) {
      new AzurermBackend(this, {
        storageAccountName: remote.storageAccount,
        containerName: remote.container,
        key: remote.key,
        resourceGroupName: remote.resourceGroup,
        // Entra ID instead of the account key: the deployer needs Storage Blob Data Contributor on the container.
        useAzureadAuth: true,
      });
    } else {
      new LocalBackend(this, { path: LOCAL_STATE_PATH });
    }

    this.mcp = new SecureMcpGateway(this, 'Mcp', {
      namePrefix: settings.namePrefix,
      location: settings.location,
      publisherName: settings.publisherName,
      publisherEmail: settings.publisherEmail,
      alertEmails: settings.alertEmails,
      lockDown: settings.lockDown,
      // `az account get-access-token --scope api://<client id>/mcp.tools` works without a consent prompt.
      preAuthorizedClientIds: [AZURE_CLI_CLIENT_ID],
      tags: { workload: 'mcp-gateway' },
    });
    for (const server of serverPlan(settings.serverCount)) {
      if (server.kind === 'functions') this.mcp.addFunctionServer(server.name, { ...FUNCTIONS_RUNTIME });
      else this.mcp.addAppServiceServer(server.name, { ...APP_SERVICE_RUNTIME });
    }

    const byName = (pick: (s: SecureMcpGateway['servers'][number]) => string | undefined) =>
      Object.fromEntries(this.mcp.servers.flatMap((s) => (pick(s) === undefined ? [] : [[s.name, pick(s) as string]])));
    new TerraformOutput(this, 'gateway_url', { value: this.mcp.gatewayUrl, description: 'The API Management gateway: the only public ingress' });
    new TerraformOutput(this, 'mcp_endpoint_urls', { value: byName((s) => s.mcpEndpointUrl), description: 'What MCP clients connect to, by server' });
    new TerraformOutput(this, 'protected_resource_metadata_urls', {
      value: byName((s) => s.protectedResourceMetadataUrl),
      description: 'RFC 9728 protected-resource metadata, by server',
    });
    new TerraformOutput(this, 'entra_client_id', { value: this.mcp.entraApp.clientId, description: 'The Entra app MCP clients get tokens for' });
    new TerraformOutput(this, 'entra_scope', { value: this.mcp.entraApp.scopeFor(MCP_TOOLS_SCOPE.value), description: 'The scope to request' });
    new TerraformOutput(this, 'entra_service_principal_object_id', {
      value: this.mcp.entraApp.servicePrincipalObjectId,
      description: 'Assign users and groups to it: the app requires assignment',
    });
    new TerraformOutput(this, 'resource_group_name', { value: this.mcp.resourceGroup.name });
    new TerraformOutput(this, 'gateway_name', { value: this.mcp.gateway.serviceName });
    new TerraformOutput(this, 'backend_app_names', { value: byName((s) => s.backend.appName), description: 'Where to deploy each server\'s code' });
  }
}

export interface BuildOptions {
  /** @default - CDKTF_OUTDIR, else `cdktf.out` */
  readonly outdir?: string;
  /** Context for the app (cdktf.json's `context` shape). @default - `loadContext()` */
  readonly context?: Record<string, unknown>;
}

/**
 * The cdktf.json `context`, for runs that do not go through the cdktf CLI (which passes it in CDKTF_CONTEXT_JSON;
 * then the app reads it from there and this returns nothing).
 */
export function loadContext(env: NodeJS.ProcessEnv = process.env, cdktfJson = path.resolve(__dirname, '..', 'cdktf.json')): Record<string, unknown> {
  if (env.CDKTF_CONTEXT_JSON !== undefined || !fs.existsSync(cdktfJson)) return {};
  const config = JSON.parse(fs.readFileSync(cdktfJson, 'utf8')) as { context?: Record<string, unknown> };
  return config.context ?? {};
}

/**
 * An app with the context loaded. Stack traces for annotations are off: nothing reads them, and the plan is the
 * same either way.
 */
export function createApp(options: BuildOptions = {}): App {
  return new App({ outdir: options.outdir, context: options.context ?? loadContext(), stackTraces: false });
}

/** The reference app for `settings`, not yet synthesized. */
export function buildApp(settings: Settings, options: BuildOptions = {}): { app: App; stack: ReferenceStack } {
  return withoutTokenStackTraces(() => {
    const app = createApp(options);
    const stack = new ReferenceStack(app, STACK_NAME, settings);
    return { app, stack };
  });
}

export interface SynthesizeOptions extends BuildOptions {
  /** @default process.env */
  readonly env?: NodeJS.ProcessEnv;
}

/**
 * Reads the settings (environment over context over defaults), builds the app and writes it. Returns the settings
 * and the path of the stack's cdk.tf.json.
 */
export function synthesize(options: SynthesizeOptions = {}): { settings: Settings; stack: ReferenceStack; file: string } {
  return withoutTokenStackTraces(() => {
    const app = createApp(options);
    const settings = readSettings({ context: (key) => app.node.tryGetContext(key), env: options.env ?? process.env });
    const stack = new ReferenceStack(app, STACK_NAME, settings);
    app.synth();
    return { settings, stack, file: path.join(app.outdir, 'stacks', STACK_NAME, 'cdk.tf.json') };
  });
}

/**
 * Runs `build` without the stack trace cdktf 0.21 records for every token it creates.
 *
 * Each `Intrinsic` and `Lazy` token calls cdktf's `captureStackTrace`, which raises `Error.stackTraceLimit` to
 * the maximum and formats the whole stack at once (there is no switch for it; `App({ stackTraces: false })` only
 * covers annotations, and construct metadata records no trace unless asked). Under ts-node every frame is then
 * mapped through source-map-support, decoding the inline source map of each cdktf and provider file it passes
 * through: about half the synth time of the reference and more than half of its memory at 100 servers. The traces
 * only appear in cdktf's errors about a token that cannot be resolved; the plan is the same without them.
 *
 * cdktf captures on a plain object (`{ stack: '' }`), so while `build` runs a stack prepared for anything that is
 * not an Error formats to '' and cdktf keeps no trace; Errors format as before (with source maps under ts-node).
 */
export function withoutTokenStackTraces<T>(build: () => T): T {
  const previous = Error.prepareStackTrace;
  Error.prepareStackTrace = (error: unknown, frames: NodeJS.CallSite[]) => {
    // Cross-realm safe (jest runs tests in their own realm): an Error's tag is "Error" whatever realm made it.
    if (Object.prototype.toString.call(error) !== '[object Error]') return '';
    return previous ? previous(error as Error, frames) : `${String(error)}${frames.map((f) => `\n    at ${f}`).join('')}`;
  };
  try {
    return build();
  } finally {
    Error.prepareStackTrace = previous;
  }
}

if (require.main === module) {
  try {
    synthesize();
  } catch (e) {
    // Our own errors say what is wrong and what is accepted; a stack trace would only bury that.
    if (e instanceof SettingsError || e instanceof ConstructValidationError) {
      process.stderr.write(`${e.message}\n`);
      process.exit(1);
    }
    throw e;
  }
}
