/**
 * The ajv options, shared by the build (which compiles the schemas into standalone code once)
 * and the fallback that compiles them at run time when that code is absent (tests run from src/).
 */
export const AJV_OPTIONS = { allErrors: true, strict: true, strictRequired: false, allowUnionTypes: true } as const;
export const AJV_FORMATS = ['date', 'date-time', 'email', 'uri'] as const;
