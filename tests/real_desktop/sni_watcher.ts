/** A StatusNotifierWatcher for tests (what a desktop's panel provides), on dbus-next. */
import dbus from "dbus-next";

const { Interface } = dbus.interface;

/** Records the items that register, and announces them like a real watcher. */
export class TestWatcher extends Interface {
  /** Bus names of the registered items, in order. */
  registered: string[] = [];
  constructor() {
    super("org.kde.StatusNotifierWatcher");
  }
  get RegisteredStatusNotifierItems() {
    return this.registered;
  }
  get IsStatusNotifierHostRegistered() {
    return true;
  }
  get ProtocolVersion() {
    return 0;
  }
  RegisterStatusNotifierItem(service: string) {
    this.registered.push(service);
    this.StatusNotifierItemRegistered(service);
  }
  RegisterStatusNotifierHost(_service: string) {}
  StatusNotifierItemRegistered(service: string) {
    return service;
  }
}
TestWatcher.configureMembers({
  properties: {
    RegisteredStatusNotifierItems: { signature: "as", access: "read" },
    IsStatusNotifierHostRegistered: { signature: "b", access: "read" },
    ProtocolVersion: { signature: "i", access: "read" },
  },
  methods: {
    RegisterStatusNotifierItem: { inSignature: "s" },
    RegisterStatusNotifierHost: { inSignature: "s" },
  },
  signals: { StatusNotifierItemRegistered: { signature: "s" } },
});
