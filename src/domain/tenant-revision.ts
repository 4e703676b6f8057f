/** The response header carrying the tenant's revision (docs/api.md "Tenant revision"). */
export const TENANT_REVISION_HEADER = "x-tenant-revision";
