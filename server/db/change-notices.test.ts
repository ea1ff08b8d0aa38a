// LISTEN/NOTIFY between instances (Postgres only): a notice from another instance reaches the
// callback, this instance's own announcements do not, and a listening connection that Postgres
// closes is reopened.
import pg from "pg";
import { afterEach, describe, expect, it } from "vitest";
import { CHANGES_CHANNEL, startChangeNotices, type ChangeNotices } from "./change-notices";

const url = process.env.TEST_DATABASE_URL;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until(ok: () => boolean, ms = 10_000): Promise<boolean> {
  const t0 = Date.now();
  while (Date.now() - t0 < ms) {
    if (ok()) return true;
    await sleep(20);
  }
  return false;
}

describe.skipIf(!url)("change notices on Postgres", () => {
  let notices: ChangeNotices | null = null;
  const clients: pg.Client[] = [];
  const client = async () => {
    const c = new pg.Client({ connectionString: url });
    await c.connect();
    clients.push(c);
    return c;
  };

  afterEach(async () => {
    await notices?.stop();
    notices = null;
    await Promise.all(clients.splice(0).map((c) => c.end()));
  });

  it("runs the callback for another instance's notice, not for its own, and its own reach the others", async () => {
    let peer = 0;
    notices = startChangeNotices(url!, () => peer++);
    expect(await until(() => notices!.listening())).toBe(true);
    await sleep(50);
    const afterConnect = peer; // one re-read when the connection opens

    const other = await client();
    await other.query("select pg_notify($1, $2)", [CHANGES_CHANNEL, "another-instance"]);
    expect(await until(() => peer === afterConnect + 1)).toBe(true);

    const heard: string[] = [];
    const listener = await client();
    listener.on("notification", (n) => heard.push(n.payload ?? ""));
    await listener.query(`listen ${CHANGES_CHANNEL}`);
    notices.announce();
    expect(await until(() => heard.length === 1)).toBe(true);
    await sleep(200);
    expect(peer).toBe(afterConnect + 1);
  });

  it("reopens the listening connection when Postgres closes it", async () => {
    let peer = 0;
    notices = startChangeNotices(url!, () => peer++);
    expect(await until(() => notices!.listening())).toBe(true);
    const admin = await client();
    await admin.query(`select pg_terminate_backend(pid) from pg_stat_activity where application_name = $1`, [
      `offload-changes-${process.pid}`,
    ]);
    expect(await until(() => !notices!.listening(), 5_000)).toBe(true);
    expect(await until(() => notices!.listening())).toBe(true);
    await sleep(50);
    const before = peer;
    await admin.query("select pg_notify($1, $2)", [CHANGES_CHANNEL, "another-instance"]);
    expect(await until(() => peer === before + 1)).toBe(true);
  });
});
