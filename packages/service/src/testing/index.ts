// Test helpers of @ecglab/service, for its tests, the CLI's and the bench: test models, multipart forms, zips.
export { testModelsDir, fixture, FIXTURES } from './models.js';
export { formOf, type Part } from './http.js';
export { makeZip, type ZipEntry } from './zip.js';
