/** Values registered by the freedesktop.org menu spec that desktop-file-validate accepts. */

const CATEGORIES = [
  // main categories
  "AudioVideo Audio Video Development Education Game Graphics Network Office Science Settings",
  "System Utility",
  // additional categories
  "Building Debugger IDE GUIDesigner Profiling RevisionControl Translation Calendar",
  "ContactManagement Database Dictionary Chart Email Finance FlowChart PDA ProjectManagement",
  "Presentation Spreadsheet WordProcessor 2DGraphics VectorGraphics RasterGraphics 3DGraphics",
  "Scanning OCR Photography Publishing Viewer TextTools DesktopSettings HardwareSettings Printing",
  "PackageManager Dialup InstantMessaging Chat IRCClient Feed FileTransfer HamRadio News P2P",
  "RemoteAccess Telephony TelephonyTools VideoConference WebBrowser WebDevelopment Midi Mixer",
  "Sequencer Tuner TV AudioVideoEditing Player Recorder DiscBurning ActionGame AdventureGame",
  "ArcadeGame BoardGame BlocksGame CardGame KidsGame LogicGame RolePlaying Shooter Simulation",
  "SportsGame StrategyGame Art Construction Music Languages ArtificialIntelligence Astronomy",
  "Biology Chemistry ComputerScience DataVisualization Economy Electricity Geography Geology",
  "Geoscience History Humanities ImageProcessing Literature Maps Math NumericalAnalysis",
  "MedicalSoftware Physics Robotics Spirituality Sports ParallelComputing Amusement Archiving",
  "Compression Electronics Emulator Engineering FileTools FileManager TerminalEmulator Filesystem",
  "Monitor Security Accessibility Calculator Clock TextEditor Documentation Adult Core KDE GNOME",
  "XFCE GTK Qt Motif Java ConsoleOnly",
].join(" ").split(" ");

const DESKTOPS = [
  "GNOME GNOME-Classic GNOME-Flashback KDE LXDE LXQt MATE Razor ROX TDE Unity XFCE EDE Cinnamon",
  "Pantheon Budgie Enlightenment Old",
].join(" ").split(" ");

const categorySet = new Set(CATEGORIES);
const desktopSet = new Set(DESKTOPS);

/** Whether `c` may appear in `Categories` (registered, or an `X-` extension). */
export function isKnownCategory(c: string): boolean {
  return categorySet.has(c) || /^X-[A-Za-z0-9-]+$/.test(c);
}

/** Whether `d` may appear in `OnlyShowIn`/`NotShowIn` (registered, or an `X-` extension). */
export function isKnownDesktop(d: string): boolean {
  return desktopSet.has(d) || /^X-[A-Za-z0-9-]+$/.test(d);
}
