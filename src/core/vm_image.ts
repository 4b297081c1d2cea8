/**
 * `codchi export`: the formats a machine can be exported to as a VM image, and which of NixOS's own
 * image builders (`config.system.build.images.<variant>`, NixOS 25.05 and later) makes each.
 * Pure: the format from a file name or an explicit `--format`.
 */
import { UsageError } from "../errors.ts";

/** One exportable format. */
export interface ImageFormat {
  /** The name given to `--format`. */
  format: string;
  /** NixOS's image variant (`system.build.images.<variant>`). */
  variant: string;
  /** File endings that pick this format when `--format` is not given. */
  suffixes: string[];
  /** One line for the help. */
  what: string;
}

/** The formats, in the order help lists them. */
export const IMAGE_FORMATS: readonly ImageFormat[] = [
  { format: "qcow2", variant: "qemu", suffixes: [".qcow2"], what: "QEMU/KVM, libvirt (BIOS)" },
  { format: "qcow2-efi", variant: "qemu-efi", suffixes: [], what: "QEMU/KVM, libvirt (UEFI)" },
  { format: "raw", variant: "raw", suffixes: [".img", ".raw"], what: "raw disk (BIOS)" },
  { format: "raw-efi", variant: "raw-efi", suffixes: [], what: "raw disk (UEFI)" },
  { format: "vmdk", variant: "vmware", suffixes: [".vmdk"], what: "VMware" },
  { format: "vhdx", variant: "hyperv", suffixes: [".vhdx"], what: "Hyper-V" },
  { format: "ova", variant: "virtualbox", suffixes: [".ova"], what: "VirtualBox appliance" },
  { format: "iso", variant: "iso", suffixes: [".iso"], what: "bootable ISO (live system)" },
];

/** Attribute path of an image variant inside a machine's flake. */
export function imageAttr(variant: string): string {
  return `nixosConfigurations.default.config.system.build.images.${variant}`;
}

/**
 * The format for `file`: `--format` when given (checked against the list), else the file's
 * ending. A UsageError names the formats and endings otherwise.
 */
export function pickImageFormat(file: string, format?: string): ImageFormat {
  const list = IMAGE_FORMATS.map((f) => f.format).join(", ");
  if (format !== undefined) {
    const f = IMAGE_FORMATS.find((x) => x.format === format);
    if (!f) {
      throw new UsageError(`Unknown image format "${format}".`, `Use one of: ${list}.`);
    }
    return f;
  }
  const lower = file.toLowerCase();
  const f = IMAGE_FORMATS.find((x) => x.suffixes.some((s) => lower.endsWith(s)));
  if (!f) {
    const endings = IMAGE_FORMATS.flatMap((x) => x.suffixes).join(", ");
    throw new UsageError(
      `Cannot tell the image format from the name ${JSON.stringify(file)}.`,
      `End it with ${endings}, or give --format (${list}).`,
    );
  }
  return f;
}
