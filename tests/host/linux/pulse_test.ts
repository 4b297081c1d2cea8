import assert from "node:assert/strict";
import { hostPulseCookiePaths, pulseClientConf } from "../../../src/host/linux/pulse.ts";

Deno.test("client.conf: server, cookie, no shm, no memfd, no autospawn", () => {
  const conf = pulseClientConf();
  assert.match(conf, /^default-server = unix:\/mnt\/codchi\/pulse-native$/m);
  assert.match(conf, /^cookie-file = \/mnt\/codchi\/pulse-cookie$/m);
  assert.match(conf, /^enable-shm = no$/m);
  assert.match(conf, /^enable-memfd = no$/m);
  assert.match(conf, /^autospawn = no$/m);
  assert.doesNotMatch(pulseClientConf({ cookieFile: "" }), /cookie-file/);
  assert.throws(() => pulseClientConf({ server: "unix:/x\nevil = 1" }));
});

Deno.test("host cookie candidates", () => {
  assert.deepEqual(hostPulseCookiePaths({ HOME: "/h" }), [
    "/h/.config/pulse/cookie",
    "/h/.pulse-cookie",
  ]);
  assert.deepEqual(
    hostPulseCookiePaths({ HOME: "/h", PULSE_COOKIE: "/c", XDG_CONFIG_HOME: "/x" }),
    [
      "/c",
      "/x/pulse/cookie",
      "/h/.pulse-cookie",
    ],
  );
});
