// `npm run bench`: every benchmark in turn; each prints its figures and writes them to README.md.
import { benchApi } from "./api.mjs";

await benchApi();
process.exit(0);
