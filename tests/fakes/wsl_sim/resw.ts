/**
 * wsl.exe's own message texts in four display languages, as WSL ships them: each entry is the
 * resource of that name in microsoft/WSL `localization/strings/<lang>/Resources.resw`
 * (en-US, de-DE, fr-FR, zh-CN; read at commit 3e27a6a50). `{}` is filled in order.
 */

/** The display languages the simulator speaks (WSL_SIM_LOCALE). */
export type Locale = "en" | "de" | "fr" | "zh";

/** Resource name → text per language. */
export const RESW = {
  MessageErrorCode: {
    en: "{}\nError code: {}",
    de: "{}\nFehlercode: {}",
    fr: "{}\nCode d'erreur\u00a0: {}",
    zh: "{}\n\u9519\u8bef\u4ee3\u7801: {}",
  },
  MessageDistroNotFound: {
    en: "There is no distribution with the supplied name.",
    de: "Es ist keine Distribution mit dem angegebenen Namen vorhanden.",
    fr: "Il n\u2019existe aucune distribution avec le nom fourni.",
    zh: "\u4e0d\u5b58\u5728\u5177\u6709\u6240\u63d0\u4f9b\u540d\u79f0\u7684\u5206\u53d1\u3002",
  },
  MessageDistroNameAlreadyExists: {
    en:
      "A distribution with the supplied name already exists. Use --name to choose a different name.",
    de:
      "A distribution with the supplied name already exists. Use --name to choose a different name.",
    fr:
      "Une distribution portant le nom fourni existe d\u00e9j\u00e0. Utilisez --name pour choisir un autre nom.",
    zh:
      "\u5df2\u5b58\u5728\u5177\u6709\u6240\u63d0\u4f9b\u540d\u79f0\u7684\u5206\u53d1\u3002\u4f7f\u7528 --name \u9009\u62e9\u5176\u4ed6\u540d\u79f0\u3002",
  },
  MessageDistroInstallPathAlreadyExists: {
    en: "The supplied install location is already in use.",
    de: "Der angegebene Installationsspeicherort wird bereits verwendet.",
    fr: "L\u2019emplacement d\u2019installation fourni est d\u00e9j\u00e0 utilis\u00e9.",
    zh: "\u63d0\u4f9b\u7684\u5b89\u88c5\u4f4d\u7f6e\u5df2\u5728\u4f7f\u7528\u4e2d\u3002",
  },
  MessageNoDefaultDistro: {
    en:
      "Windows Subsystem for Linux has no installed distributions.\nYou can resolve this by installing a distribution with the instructions below:\n\nUse 'wsl.exe --list --online' to list available distributions\nand 'wsl.exe --install <Distro>' to install.",
    de:
      'Windows-Subsystem f\u00fcr Linux verf\u00fcgt \u00fcber keine installierten Distributionen.\nSie k\u00f6nnen dies beheben, indem Sie eine Distribution mit den folgenden Anweisungen installieren:\n\n"wsl.exe --list --online\' zum Auflisten verf\u00fcgbarer Distributionen verwenden\nund "wsl.exe --install <Distro>".',
    fr:
      "Sous-syst\u00e8me Windows pour Linux n\u2019a aucune distribution install\u00e9e.\nVous pouvez r\u00e9soudre ce probl\u00e8me en installant une distribution avec les instructions ci-dessous :\n\nUtiliser wsl.exe --list --online' pour r\u00e9pertorier les distributions disponibles\net 'wsl.exe --install <Distro>' \u00e0 installer.",
    zh:
      "\u9002\u7528\u4e8e Linux \u7684 Windows \u5b50\u7cfb\u7edf\u6ca1\u6709\u5df2\u5b89\u88c5\u7684\u5206\u53d1\u3002\n\u53ef\u6309\u7167\u4ee5\u4e0b\u8bf4\u660e\u5b89\u88c5\u5206\u53d1\u6765\u89e3\u51b3\u6b64\u95ee\u9898:\n\n\u4f7f\u7528 'wsl.exe --list --online' \u5217\u51fa\u53ef\u7528\u7684\u5206\u53d1\n\u548c 'wsl.exe --install <Distro>' \u8fdb\u884c\u5b89\u88c5\u3002",
  },
  MessageNoRunningDistro: {
    en: "There are no running distributions.",
    de: "Es werden keine Distributionen ausgef\u00fchrt.",
    fr: "Aucune distribution en cours d'ex\u00e9cution.",
    zh: "\u6ca1\u6709\u6b63\u5728\u8fd0\u884c\u7684\u5206\u53d1\u3002",
  },
  MessageStatusUnregistering: {
    en: "Unregistering.",
    de: "Registrierung wird aufgehoben.",
    fr: "Annulation de l\u2019inscription.",
    zh: "\u6b63\u5728\u6ce8\u9500\u3002",
  },
  MessageConversionStart: {
    en: "Conversion in progress, this may take a few minutes.",
    de: "Konvertierung wird ausgef\u00fchrt. Dieser Vorgang kann einige Minuten dauern.",
    fr: "Conversion en cours. Cette op\u00e9ration peut prendre quelques minutes.",
    zh:
      "\u6b63\u5728\u8fdb\u884c\u8f6c\u6362\uff0c\u8fd9\u53ef\u80fd\u9700\u8981\u51e0\u5206\u949f\u65f6\u95f4\u3002",
  },
  MessageExportProgress: {
    en: "Export in progress, this may take a few minutes.",
    de: "Export wird ausgef\u00fchrt. Dieser Vorgang kann einige Minuten dauern.",
    fr: "Exportation en cours. Cette op\u00e9ration peut prendre quelques minutes.",
    zh:
      "\u6b63\u5728\u5bfc\u51fa\uff0c\u8fd9\u53ef\u80fd\u9700\u8981\u51e0\u5206\u949f\u65f6\u95f4\u3002",
  },
  MessageImportProgress: {
    en: "Import in progress, this may take a few minutes.",
    de: "Import wird ausgef\u00fchrt. Dieser Vorgang kann einige Minuten dauern.",
    fr: "Importation en cours. Cette op\u00e9ration peut prendre quelques minutes.",
    zh:
      "\u6b63\u5728\u5bfc\u5165\uff0c\u8fd9\u53ef\u80fd\u9700\u8981\u51e0\u5206\u949f\u65f6\u95f4\u3002",
  },
  MessageSparseVhdDisabled: {
    en:
      "Sparse VHD support is currently disabled due to potential data corruption.\nTo force a distribution to use a sparse VHD, please run:\nwsl.exe --manage <DistributionName> --set-sparse true --allow-unsafe",
    de:
      "Die Unterst\u00fctzung von Sparse VHD ist derzeit wegen m\u00f6glicher Datenbesch\u00e4digung deaktiviert.\nUm eine Distribution zu zwingen, eine sp\u00e4rliche VHD zu verwenden, f\u00fchren Sie bitte Folgendes aus:\nwsl.exe --manage <DistributionName> --set-sparse true --allow-unsafe",
    fr:
      "La prise en charge des VHD espac\u00e9s est actuellement d\u00e9sactiv\u00e9e en raison d\u2019un risque potentiel de corruption des donn\u00e9es.\nPour forcer une distribution \u00e0 utiliser un VHD espac\u00e9, veuillez ex\u00e9cuter\u00a0: \nwsl.exe --manage <DistributionName> --set-sparse true --allow-unsafe",
    zh:
      "\u7531\u4e8e\u6f5c\u5728\u7684\u6570\u636e\u635f\u574f\uff0c\u76ee\u524d\u5df2\u7981\u7528\u7a00\u758f VHD \u652f\u6301\u3002\n\u8981\u5f3a\u5236\u53d1\u884c\u7248\u4f7f\u7528\u7a00\u758f VHD\uff0c\u8bf7\u8fd0\u884c:\nwsl.exe --manage <DistributionName> --set-sparse true --allow-unsafe",
  },
  MessageSystemdUserSessionFailed: {
    en: "Failed to start the systemd user session for '{}'. See journalctl for more details.",
    de:
      "Starten der systemd-Benutzersitzung f\u00fcr \u201e{}\u201c fehlgeschlagen. Weitere Details finden Sie in journalctl.",
    fr:
      "\u00c9chec du d\u00e9marrage de la session utilisateur syst\u00e8me pour \u00ab {} \u00bb. Pour plus d\u2019informations, consultez journalctl.",
    zh:
      "\u672a\u80fd\u4e3a\u201c{}\u201d\u542f\u52a8\u7cfb\u7edf\u7528\u6237\u4f1a\u8bdd\u3002\u6709\u5173\u8be6\u7ec6\u4fe1\u606f\uff0c\u8bf7\u53c2\u9605 journalctl\u3002",
  },
  MessageInvalidCommandLine: {
    en:
      "Invalid command line argument: {}\nPlease use '{} --help' to get a list of supported arguments.",
    de:
      'Ung\u00fcltiges Befehlszeilenargument: {}\nVerwenden Sie "{}" --help\', um eine Liste der unterst\u00fctzten Argumente abzurufen.',
    fr:
      "Argument de ligne de commande non valide : {}\nUtilisez \u00ab\u00a0{} --help' pour obtenir la liste des arguments pris en charge.",
    zh:
      "\u65e0\u6548\u7684\u547d\u4ee4\u884c\u53c2\u6570\uff1a {}\n\u8bf7\u4f7f\u7528\u201c{} --help' \u83b7\u53d6\u53d7\u652f\u6301\u7684\u53c2\u6570\u5217\u8868\u3002",
  },
  MessagePackageVersions: {
    en:
      "WSL version: {}\nKernel version: {}\nWSLg version: {}\nMSRDC version: {}\nDirect3D version: {}\nDXCore version: {}\nWindows version: {}",
    de:
      "WSL-Version: {}\nKernelversion: {}\nWSLg-Version: {}\nMSRDC-Version: {}\nDirect3D-Version: {}\nDXCore-Version: {}\nWindows-Version: {}",
    fr:
      "Version WSL : {}\nVersion du noyau : {}\nVersion WSLg : {}\nVersion MSRDC : {}\nVersion direct3D : {}\nVersion de DXCore : {}\nVersion de Windows : {}",
    zh:
      "WSL \u7248\u672c: {}\n\u5185\u6838\u7248\u672c: {}\nWSLg \u7248\u672c: {}\nMSRDC \u7248\u672c: {}\nDirect3D \u7248\u672c: {}\nDXCore \u7248\u672c: {}\nWindows \u7248\u672c: {}",
  },
  MessageUserNotFound: {
    en: "User not found.",
    de: "Benutzer nicht gefunden.",
    fr: "Utilisateur introuvable.",
    zh: "\u627e\u4e0d\u5230\u7528\u6237\u3002",
  },
  MessageRegisteredDistrosHeader: {
    en: "Windows Subsystem for Linux Distributions:",
    de: "Windows Subsystem f\u00fcr Linux-Distributionen:",
    fr: "Distributions du Sous-syst\u00e8me Windows pour Linux\u00a0:",
    zh: "\u9002\u7528\u4e8e Linux \u7684 Windows \u5b50\u7cfb\u7edf\u5206\u53d1:",
  },
  MessagePrintDistroDefault: {
    en: "{} (Default)",
    de: "{} (Standard)",
    fr: "{} (par d\u00e9faut)",
    zh: "{} (\u9ed8\u8ba4\u503c)",
  },
} as const satisfies Record<string, Record<Locale, string>>;

/** A resource name. */
export type ResourceName = keyof typeof RESW;

/** The resource `name` in `locale`, each `{}` replaced by the next argument. */
export function message(locale: Locale, name: ResourceName, ...args: string[]): string {
  let i = 0;
  return RESW[name][locale].replace(/\{\}/g, () => args[i++] ?? "");
}

/** Parses WSL_SIM_LOCALE (`de`, `de-DE`, `fr_FR`, `zh-CN`…); English when unset. */
export function localeOf(value: string | undefined): Locale {
  const l = (value ?? "en").slice(0, 2).toLowerCase();
  if (l === "en" || l === "de" || l === "fr" || l === "zh") return l;
  throw new Error(`wsl.exe simulator: unknown WSL_SIM_LOCALE "${value}" (en, de, fr, zh)`);
}
