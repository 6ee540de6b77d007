import { Type } from 'typebox';
import { AbilitySetSchema } from '../../platform/abilities.ts';
import { Obj, OneOf } from '../../platform/http.ts';
import { ROLES } from '../../platform/context.ts';
import { ORG_KINDS } from '../../db/schema.ts';

const Nullable = <T extends ReturnType<typeof Type.String>>(t: T) => Type.Union([t, Type.Null()]);
export const Uuid = Type.String({ format: 'uuid' });
export const IdParams = Obj({ id: Uuid });
// titled enumerations reach the console as constants (api.enums.gen.ts, generated from the OpenAPI document)
export const RoleSchema = OneOf(ROLES, { title: 'Role' });
export const OrgKindSchema = OneOf(ORG_KINDS, { title: 'OrgKind' });
const Phone = Type.String({ maxLength: 40, pattern: '^[0-9+()\\- ]{5,40}$' });
const Email = Type.String({ maxLength: 200, format: 'email' });
const Name = Type.String({ minLength: 1, maxLength: 100 });

export const LoginBody = Obj({
  username: Type.String({ minLength: 1, maxLength: 64 }),
  password: Type.String({ minLength: 1, maxLength: 200 }),
});
export const LoginReply = Obj({
  next: Type.Union([Type.Literal('done'), Type.Literal('totp'), Type.Literal('enrol_totp')]),
  csrfToken: Type.String(),
});
export const TotpBody = Obj({ code: Type.String({ minLength: 6, maxLength: 6, pattern: '^[0-9]{6}$' }) });
export const PasswordBody = Obj({ password: Type.String({ minLength: 1, maxLength: 200 }) });
export const ChangePasswordBody = Obj({
  currentPassword: Type.String({ minLength: 1, maxLength: 200 }),
  newPassword: Type.String({ minLength: 1, maxLength: 200 }),
});

export const Org = Type.Object({
  id: Type.String(),
  code: Type.String(),
  name: Type.String(),
  kind: OrgKindSchema,
  uscc: Type.Union([Type.String(), Type.Null()]),
  parentId: Type.Union([Type.String(), Type.Null()]),
  contactName: Type.Union([Type.String(), Type.Null()]),
  contactPhone: Type.Union([Type.String(), Type.Null()]),
  contactEmail: Type.Union([Type.String(), Type.Null()]),
  active: Type.Boolean(),
  isDemo: Type.Boolean(),
});
/** An organisation in the directory, with the roles the caller may give its users (none: may not manage them). */
export const ListedOrg = Type.Object({ ...Org.properties, grantableRoles: Type.Array(RoleSchema) });
const orgFields = {
  name: Name,
  code: Type.String({ minLength: 2, maxLength: 40, pattern: '^[a-z0-9][a-z0-9_-]*$' }),
  kind: OrgKindSchema,
  uscc: Type.Optional(Nullable(Type.String({ minLength: 1, maxLength: 18 }))),
  parentId: Type.Optional(Type.Union([Uuid, Type.Null()])),
  contactName: Type.Optional(Nullable(Type.String({ maxLength: 50 }))),
  contactPhone: Type.Optional(Type.Union([Phone, Type.Null()])),
  contactEmail: Type.Optional(Type.Union([Email, Type.Null()])),
};
export const OrgCreateBody = Obj(orgFields);
export const OrgUpdateBody = Type.Partial(Obj({ ...orgFields, active: Type.Boolean() }), {
  additionalProperties: false,
  minProperties: 1,
});
export const OrgListQuery = Obj({
  kind: Type.Optional(OrgKindSchema),
  q: Type.Optional(Type.String({ maxLength: 100 })),
});

export const User = Type.Object({
  id: Type.String(),
  orgId: Type.String(),
  orgName: Type.Union([Type.String(), Type.Null()]),
  username: Type.String(),
  displayName: Type.String(),
  email: Type.Union([Type.String(), Type.Null()]),
  phone: Type.Union([Type.String(), Type.Null()]),
  roles: Type.Array(RoleSchema),
  active: Type.Boolean(),
  totpEnabled: Type.Boolean(),
  mustChangePassword: Type.Boolean(),
  lockedUntil: Type.Union([Type.String(), Type.Null()]),
  lastLoginAt: Type.Union([Type.String(), Type.Null()]),
  isDemo: Type.Boolean(),
  createdAt: Type.String(),
});
export const UserCreateBody = Obj({
  orgId: Uuid,
  username: Type.String({ minLength: 3, maxLength: 64, pattern: '^[A-Za-z0-9][A-Za-z0-9._-]*$' }),
  displayName: Name,
  password: Type.String({ minLength: 1, maxLength: 200 }),
  roles: Type.Array(RoleSchema, { minItems: 1, maxItems: 7 }),
  email: Type.Optional(Type.Union([Email, Type.Null()])),
  phone: Type.Optional(Type.Union([Phone, Type.Null()])),
  mustChangePassword: Type.Optional(Type.Boolean()),
});
export const UserUpdateBody = Obj(
  {
    displayName: Type.Optional(Name),
    roles: Type.Optional(Type.Array(RoleSchema, { minItems: 1, maxItems: 7 })),
    email: Type.Optional(Type.Union([Email, Type.Null()])),
    phone: Type.Optional(Type.Union([Phone, Type.Null()])),
    active: Type.Optional(Type.Boolean()),
    unlock: Type.Optional(Type.Boolean()),
  },
  { minProperties: 1 },
);
export const UserListQuery = Obj({
  orgId: Type.Optional(Uuid),
  q: Type.Optional(Type.String({ maxLength: 100 })),
  role: Type.Optional(RoleSchema),
});

export const Credential = Type.Object({
  id: Type.String(),
  keyId: Type.String(),
  orgId: Type.String(),
  orgName: Type.Union([Type.String(), Type.Null()]),
  systemName: Type.String(),
  description: Type.Union([Type.String(), Type.Null()]),
  createdAt: Type.String(),
  expiresAt: Type.Union([Type.String(), Type.Null()]),
  revokedAt: Type.Union([Type.String(), Type.Null()]),
  lastUsedAt: Type.Union([Type.String(), Type.Null()]),
  lastUsedIp: Type.Union([Type.String(), Type.Null()]),
  status: Type.String(),
});
export const CredentialCreateBody = Obj({
  orgId: Type.Optional(Uuid),
  systemName: Type.String({ minLength: 1, maxLength: 100 }),
  description: Type.Optional(Type.String({ maxLength: 500 })),
  expiresAt: Type.Optional(Type.String({ format: 'date-time' })),
});
export const CredentialListQuery = Obj({ orgId: Type.Optional(Uuid) });

export const Me = Type.Object({
  user: User,
  org: Org,
  csrfToken: Type.String(),
  mfaState: Type.String(),
  expiresAt: Type.String(),
  abilities: AbilitySetSchema,
});
