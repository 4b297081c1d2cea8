/** XDG menu files (freedesktop.org Desktop Menu spec) for `applications-merged`. Pure. */

/** A menu level: its name and the `.directory` file that labels it. */
export interface MenuLevel {
  name: string;
  directory: string;
}

/** One machine's merged menu: Applications → top → sub, holding `filenames`. */
export interface MenuSpec {
  top: MenuLevel;
  sub: MenuLevel;
  /** Desktop file IDs included in the machine's submenu. */
  filenames: string[];
}

/** Escapes text for XML character data and attribute values. */
export function xmlEscape(text: string): string {
  return text.replace(
    /[<>&"']/g,
    (c) =>
      c === "<"
        ? "&lt;"
        : c === ">"
        ? "&gt;"
        : c === "&"
        ? "&amp;"
        : c === '"'
        ? "&quot;"
        : "&apos;",
  );
}

/** Renders a merged menu file (with the spec's DOCTYPE) that adds one machine's submenu. */
export function renderMenu(spec: MenuSpec): string {
  const el = (indent: number, tag: string, text: string) =>
    `${"  ".repeat(indent)}<${tag}>${xmlEscape(text)}</${tag}>`;
  return [
    `<?xml version="1.0" encoding="UTF-8"?>`,
    `<!DOCTYPE Menu PUBLIC "-//freedesktop//DTD Menu 1.0//EN"`,
    ` "http://www.freedesktop.org/standards/menu-spec/1.0/menu.dtd">`,
    `<Menu>`,
    el(1, "Name", "Applications"),
    `  <Menu>`,
    el(2, "Name", spec.top.name),
    el(2, "Directory", spec.top.directory),
    `    <Menu>`,
    el(3, "Name", spec.sub.name),
    el(3, "Directory", spec.sub.directory),
    `      <Include>`,
    ...spec.filenames.map((f) => el(4, "Filename", f)),
    `      </Include>`,
    `    </Menu>`,
    `  </Menu>`,
    `</Menu>`,
    ``,
  ].join("\n");
}
