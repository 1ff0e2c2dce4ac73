// What every /vnflcm/v2 route declares besides its body: the path id, and the Version
// header its clients must send (checked, with the reference VNFM's answers, by
// src/api/sol013/versions.ts before validation; declared here so that the OpenAPI
// document says so).
export const idParams = {
  type: 'object',
  properties: { id: { type: 'string', maxLength: 64 } },
} as const;

export const versionHeader = {
  type: 'object',
  properties: {
    version: {
      type: 'string',
      minLength: 1,
      maxLength: 255,
      description: 'The API version asked for: 2.0.0 (SOL013 §4.2)',
    },
  },
  required: ['version'],
} as const;
