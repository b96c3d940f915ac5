/** Where a construct puts its resources: an existing resource group (for example an azurerm `ResourceGroup`). */
export interface ResourceGroupRef {
  readonly name: string;
  readonly location: string;
  /** Needed by constructs that create child resources through the azapi provider. */
  readonly id: string;
}

/** An Entra principal that can be granted access: a managed identity, service principal, user or group. */
export interface Principal {
  readonly principalId: string;
  /**
   * Set it for a principal created in the same deployment: role assignments to a new principal can fail on
   * Entra replication delay unless the type is given.
   * @default - Azure looks the type up
   */
  readonly principalType?: 'ServicePrincipal' | 'User' | 'Group';
}

/** Tags applied to every resource a construct creates. */
export type Tags = Readonly<Record<string, string>>;
