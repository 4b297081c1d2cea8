/** The mount checks run before a container is used: pure, on `lxc list` device maps. */
import assert from "node:assert/strict";
import { computePaths } from "../../../src/config/paths.ts";
import {
  machineDisks,
  machineMountProblem,
  missingStoreMounts,
  storeDisks,
} from "../../../src/driver/lxd/mounts.ts";

const paths = computePaths("linux", { HOME: "/home/u" });
const devicesOf = (disks: ReturnType<typeof machineDisks>) =>
  Object.fromEntries(
    disks.map((d) => [d.name, { type: "disk", source: d.source, path: d.path }]),
  );

Deno.test("machineMountProblem: exactly the machine's disks pass", () => {
  assert.equal(machineMountProblem(paths, "m1", devicesOf(machineDisks(paths, "m1"))), undefined);
  // Trailing slashes are the same folder.
  const slash = devicesOf(machineDisks(paths, "m1"));
  slash["codchi-home"].source += "/";
  assert.equal(machineMountProblem(paths, "m1", slash), undefined);
});

Deno.test("machineMountProblem: a half-made container (no disks, or some) is refused", () => {
  assert.match(machineMountProblem(paths, "m1", {})!, /\/home\/codchi is not mounted/);
  assert.match(machineMountProblem(paths, "m1", undefined)!, /not mounted/);
  const some = devicesOf(machineDisks(paths, "m1").slice(0, 3));
  assert.match(machineMountProblem(paths, "m1", some)!, /\/home\/codchi is not mounted/);
});

Deno.test("machineMountProblem: a copy still wired to the source's home is refused", () => {
  // What `lxc copy` of m1 to m2 leaves before the devices are re-pointed.
  const problem = machineMountProblem(paths, "m2", devicesOf(machineDisks(paths, "m1")));
  assert.ok(problem);
  assert.ok(problem.includes("/home/u/.local/share/codchi/machine/m1"), problem);
  assert.ok(problem.includes("/home/u/.local/share/codchi/machine/m2"), problem);
});

Deno.test("missingStoreMounts names the store's missing mounts", () => {
  const all = Object.fromEntries(storeDisks(paths).map((d) => [d.name, { source: d.source }]));
  assert.equal(missingStoreMounts(paths, all), undefined);
  assert.match(missingStoreMounts(paths, {})!, /\/config, \/data, \/nix/);
});
