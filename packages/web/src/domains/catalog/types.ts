// Shapes of the catalog API, from the generated OpenAPI types (api.gen.ts; tag "catalog").
import type { Body, Reply } from '../../api.types.ts';

/** A resource as the editor holds it: what a draft takes (items with their optional fields). */
export type ResourceFields = Body<'/api/catalog/resources/{id}/draft', 'put'>;
/** An item in the editor: as a draft takes it, with its position once stored. */
export type Item = ResourceFields['items'][number] & { position?: number };
/** One version of a resource with its items and its deadline. */
export type Version = Reply<'/api/catalog/resources/{id}/versions/{version}'>;
export type Due = NonNullable<Version['due']>;
export type ResourceView = Reply<'/api/catalog/resources/{id}'>;
