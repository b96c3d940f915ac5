export { AzapiProvider, AZAPI_PROVIDER_SOURCE, AZAPI_PROVIDER_VERSION_CONSTRAINT } from './provider';
export type { AzapiProviderConfig } from './provider';
export { AzapiResource } from './resource';
export type { AzapiIdentity, AzapiJsonObject, AzapiJsonValue, AzapiResourceConfig, AzapiResponseExportValues } from './resource';
export { AzapiResourceAction } from './resource-action';
export type { AzapiResourceActionConfig } from './resource-action';
