/** codchi's version, from deno.json (embedded at compile time). */
import denoJson from "../deno.json" with { type: "json" };

/** The version of this codchi. */
export const VERSION: string = denoJson.version;
