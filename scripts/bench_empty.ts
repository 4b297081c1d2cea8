// The bench floor of start-up: `deno run` of a file that does nothing.
