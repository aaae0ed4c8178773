// The official MCP TypeScript SDK client against the real server: it
// connects over stdio (the initialize handshake), lists the tools, waits
// for the index, searches, reads and compares a document, reads the
// status and a note as resources, subscribes to the status and stops the
// engine to be told of it, and prints one JSON report on stdout for
// interop_ts_test.go. callTool checks each
// structured result against the tool's output schema, as the SDK does.
//
//	node client.mjs SERVER_BINARY CONFIG_FILE
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { ResourceUpdatedNotificationSchema } from "@modelcontextprotocol/sdk/types.js";

const [server, config] = process.argv.slice(2);
const transport = new StdioClientTransport({ command: server, args: ["-config", config], env: process.env, stderr: "ignore" });
const client = new Client({ name: "ts-sdk-interop", version: "1" });
const report = { calls: {} };
try {
  await client.connect(transport);
  report.server = client.getServerVersion();
  report.instructions = (client.getInstructions() ?? "").length > 0;
  const { tools } = await client.listTools();
  report.tools = tools.map((t) => ({ name: t.name, title: t.title ?? "", outputSchema: !!t.outputSchema, annotations: t.annotations ?? null }));
  const call = async (name, args) => {
    const res = await client.callTool({ name, arguments: args });
    report.calls[name] = { isError: !!res.isError, structured: res.structuredContent ?? null };
    return res;
  };
  await call("engine_start", { wait_for_index: true });
  await call("search", { query: "quokkaflux widgets", limit: 3 });
  await call("get_document", { path: "parser.go" });
  await call("find_related", { path: "parser.go", line: 6 });
  await call("list_collections", {});
  await call("engine_status", {});
  // A bad argument is a tool error, not a protocol failure.
  await call("search", { query: "x", limit: 500 });
  report.badArgument = report.calls.search;
  await call("search", { query: "quokkaflux widgets", limit: 3 });

  // Resources: the status, a note found in resources/list, and the
  // status subscription told of engine_stop.
  const status = await client.readResource({ uri: "wqm://engine/status" });
  report.statusResource = JSON.parse(status.contents[0].text);
  const added = await call("add_document", { content: "the interop note\n", title: "interop" });
  report.noteId = added.structuredContent?.id ?? "";
  const { resources } = await client.listResources();
  const note = resources.find((r) => r.title === "interop");
  report.noteUri = note?.uri ?? "";
  if (note) {
    const read = await client.readResource({ uri: note.uri });
    report.noteText = read.contents[0].text;
  }
  const updated = new Promise((resolve) => {
    client.setNotificationHandler(ResourceUpdatedNotificationSchema, (n) => resolve(n.params.uri));
  });
  await client.subscribeResource({ uri: "wqm://engine/status" });
  await call("engine_stop", {});
  report.updated = await Promise.race([updated, new Promise((resolve) => setTimeout(() => resolve(""), 10000))]);
} catch (err) {
  report.error = String(err?.stack ?? err);
} finally {
  await client.close().catch(() => {});
}
process.stdout.write(JSON.stringify(report) + "\n");
