// `npm run build:page -w @ecglab/service`: bundles the web page into dist/page (scripts/setup.sh runs it;
// the service also builds it at start when it is missing or older than its sources).
import { buildPage, PAGE_OUT } from './assets.js';

const { bytes } = await buildPage();
console.log(`page: ${PAGE_OUT} (${(bytes / 1024).toFixed(0)} kB)`);
