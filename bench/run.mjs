// `npm run bench`: every benchmark in turn; each prints its figures and writes them to README.md.
import { benchApi } from "./api.mjs";
import { benchCalls } from "./calls.mjs";
import { benchDelivery } from "./delivery.mjs";
import { benchLongCall } from "./long-call.mjs";

await benchApi();
await benchCalls();
await benchDelivery();
await benchLongCall();
process.exit(0);
