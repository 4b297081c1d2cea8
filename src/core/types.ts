/** Plain types of the core's use cases, shared with the command line that fills them. */

/** The module-input options of init, clone, module add and module set. */
export interface InputOptions {
  dontPrompt?: boolean;
  build?: boolean;
  useNixpkgs?: "local" | "remote";
  auth?: string;
  branch?: string;
  tag?: string;
  commit?: string;
}
