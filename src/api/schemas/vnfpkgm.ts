// /vnfpkgm/v1 bodies (SOL005 v2.6.1): create, modify, upload from URI. The package
// content itself (PUT package_content) is a zip stream, not JSON.
import { type Static, Type } from '@sinclair/typebox';
import { KeyValuePairs, Name, OptionalBody, Password, strictObject, Url } from './primitives.ts';

/** POST /vnf_packages; Tacker's client and tests send `{"userDefinedData": {...}}`, curl often nothing. */
export const CreateVnfPkgInfoRequest = OptionalBody(
  strictObject({ userDefinedData: Type.Optional(KeyValuePairs()) }),
);

export const VnfPkgInfoModifications = strictObject({
  operationalState: Type.Optional(Type.Union([Type.Literal('ENABLED'), Type.Literal('DISABLED')])),
  /** Merged into the package's (RFC 7396): `null` removes a key, or all user data. */
  userDefinedData: Type.Optional(Type.Union([KeyValuePairs(), Type.Null()])),
});

export const UploadVnfPkgFromUriRequest = strictObject({
  addressInformation: Url(),
  authType: Type.Optional(Type.Union([Type.Literal('BASIC'), Type.Literal('OAUTH2_CLIENT_CREDENTIALS')])),
  userName: Type.Optional(Name()),
  password: Type.Optional(Password()),
});

export type CreateVnfPkgInfoRequest = Static<typeof CreateVnfPkgInfoRequest>;
export type VnfPkgInfoModifications = Static<typeof VnfPkgInfoModifications>;
export type UploadVnfPkgFromUriRequest = Static<typeof UploadVnfPkgFromUriRequest>;
