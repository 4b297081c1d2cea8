/** Everything codchi knows about Nix, as pure functions: URLs, flakes, argv, logs. */
export * from "./url.ts";
export * from "./credentials.ts";
export * from "./flake.ts";
export * from "./argv.ts";
export * from "./metadata.ts";
export * from "./progress.ts";
export * from "./progress_render.ts";
export * from "./nix_syntax.ts";
