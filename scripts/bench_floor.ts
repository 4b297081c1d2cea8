// The bench's floor: spawns exactly the argv it is given (what codchi spawned, from CODCHI_TRACE).
const [cmd, ...args] = Deno.args;
Deno.exit((await new Deno.Command(cmd, { args, stdin: "inherit" }).spawn().status).code);
