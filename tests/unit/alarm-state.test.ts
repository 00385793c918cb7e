/**
 * The alarm state machine and notification rules (alarms.md "States and notifications") with a
 * controllable clock: fire, recover, re-notify, snooze, maintenance windows, tag sets.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { AlarmState } from "../../db/schema/alarms";
import { inMaintenance, localTime, matchTags, renotifyDue, suppression, tagKey, transition, worstState, type CurrentState, type NotifyRules } from "../../server/alarm/state";

const rules = (over: Partial<NotifyRules> = {}): NotifyRules => ({
  notifyRecovery: true,
  renotifyMinutes: null,
  snoozedUntil: null,
  maintenance: [],
  timeZone: "UTC",
  ...over,
});
const at = (iso: string) => new Date(iso);
const now = at("2026-03-04T12:00:00Z"); // a Wednesday

describe("state changes and when they notify", () => {
  it("a new tag set starts in ok: an ok outcome changes nothing and sends nothing", () => {
    assert.deepEqual(transition(null, "ok", rules(), now), { changed: false, from: "ok", to: "ok", notify: null, suppressed: null });
  });

  it("entering alarm, error or no_data notifies with that reason", () => {
    for (const to of ["alarm", "error", "no_data"] as const) {
      const t = transition({ state: "ok" }, to, rules(), now);
      assert.equal(t.changed, true);
      assert.equal(t.notify, to);
    }
  });

  it("staying in alarm does not notify again (re-notify is separate)", () => {
    assert.equal(transition({ state: "alarm" }, "alarm", rules(), now).notify, null);
    assert.equal(transition({ state: "alarm" }, "alarm", rules(), now).changed, false);
  });

  it("moving between bad states notifies the new one (alarm → error)", () => {
    assert.equal(transition({ state: "alarm" }, "error", rules(), now).notify, "error");
  });

  it("returning to ok is a recovery, unless recoveries are off (the change is still recorded)", () => {
    assert.equal(transition({ state: "alarm" }, "ok", rules(), now).notify, "recovery");
    const off = transition({ state: "alarm" }, "ok", rules({ notifyRecovery: false }), now);
    assert.equal(off.notify, null);
    assert.equal(off.changed, true);
  });
});

describe("snooze and maintenance windows hold notifications back, not evaluation", () => {
  it("while snoozed a change is recorded but not notified; after the snooze it is", () => {
    const snoozed = rules({ snoozedUntil: at("2026-03-04T13:00:00Z") });
    const t = transition({ state: "ok" }, "alarm", snoozed, now);
    assert.equal(t.changed, true);
    assert.equal(t.notify, null);
    assert.equal(t.suppressed, "snooze");
    assert.equal(transition({ state: "ok" }, "alarm", snoozed, at("2026-03-04T13:00:00Z")).notify, "alarm");
  });

  it("a window on the day and time suppresses; outside it does not", () => {
    const w = rules({ maintenance: [{ days: [3], start: "11:30", end: "12:30" }] });
    assert.equal(suppression(w, now), "maintenance");
    assert.equal(suppression(w, at("2026-03-04T12:30:00Z")), null, "the end is exclusive");
    assert.equal(suppression(w, at("2026-03-05T12:00:00Z")), null, "Thursday is not in the window");
  });

  it("windows are in the alarm's time zone", () => {
    // 12:00 UTC is 14:00 in Tallinn (EET, UTC+2 in March).
    assert.deepEqual(localTime("Europe/Tallinn", now), { day: 3, minute: 14 * 60 });
    const w = [{ days: [3], start: "13:00", end: "15:00" }];
    assert.equal(inMaintenance(w, "Europe/Tallinn", now), true);
    assert.equal(inMaintenance(w, "UTC", now), false);
  });

  it("a window that ends before it starts runs past midnight into the next day", () => {
    const w = [{ days: [6], start: "22:00", end: "02:00" }]; // Saturday night
    assert.equal(inMaintenance(w, "UTC", at("2026-03-07T23:00:00Z")), true, "Saturday 23:00");
    assert.equal(inMaintenance(w, "UTC", at("2026-03-08T01:59:00Z")), true, "Sunday 01:59");
    assert.equal(inMaintenance(w, "UTC", at("2026-03-08T02:00:00Z")), false, "Sunday 02:00");
    assert.equal(inMaintenance(w, "UTC", at("2026-03-07T21:59:00Z")), false, "Saturday 21:59");
    assert.equal(inMaintenance(w, "UTC", at("2026-03-09T01:00:00Z")), false, "Monday 01:00");
  });
});

describe("re-notify", () => {
  const state = (over: Partial<CurrentState> = {}): CurrentState => ({
    state: "alarm",
    since: at("2026-03-04T10:00:00Z"),
    seq: 1,
    lastNotifiedAt: at("2026-03-04T10:00:00Z"),
    renotifyCount: 0,
    ...over,
  });

  it("is due every N minutes after the last notification while not ok", () => {
    const r = rules({ renotifyMinutes: 120 });
    assert.equal(renotifyDue(state(), r, at("2026-03-04T11:59:00Z")), false);
    assert.equal(renotifyDue(state(), r, at("2026-03-04T12:00:00Z")), true);
    assert.equal(renotifyDue(state({ lastNotifiedAt: at("2026-03-04T12:00:00Z") }), r, at("2026-03-04T13:00:00Z")), false);
  });

  it("is never due when off, when ok, or while suppressed; a held-back change counts from its start", () => {
    assert.equal(renotifyDue(state(), rules(), now), false);
    assert.equal(renotifyDue(state({ state: "ok" }), rules({ renotifyMinutes: 60 }), now), false);
    assert.equal(renotifyDue(state(), rules({ renotifyMinutes: 60, snoozedUntil: at("2026-03-04T12:30:00Z") }), now), false);
    assert.equal(renotifyDue(state({ lastNotifiedAt: null, since: at("2026-03-04T11:00:00Z") }), rules({ renotifyMinutes: 60 }), now), true);
  });
});

describe("tag sets", () => {
  it("no patterns: every instance, one tag set", () => {
    assert.deepEqual(matchTags([], ["host:a"]), []);
    assert.equal(tagKey([]), "");
  });

  it("host:* keeps one tag set per host; an instance without a host tag does not match", () => {
    assert.deepEqual(matchTags(["host:*"], ["env:prod", "host:web1"]), ["host:web1"]);
    assert.deepEqual(matchTags(["host:*"], ["host:web2"]), ["host:web2"]);
    assert.equal(matchTags(["host:*"], ["env:prod"]), null);
  });

  it("exact patterns must all be present; regex characters in patterns are literal", () => {
    assert.deepEqual(matchTags(["env:prod", "host:*"], ["host:b", "env:prod"]), ["env:prod", "host:b"]);
    assert.equal(matchTags(["env:prod"], ["env:production"]), null);
    assert.equal(matchTags(["a.b"], ["axb"]), null);
    assert.deepEqual(matchTags(["a.b"], ["a.b"]), ["a.b"]);
  });

  it("the tag set's key does not depend on order", () => {
    assert.equal(tagKey(["b", "a"]), tagKey(["a", "b"]));
  });
});

describe("worst state", () => {
  it("error > alarm > no_data > ok; none is null", () => {
    const cases: [AlarmState[], AlarmState | null][] = [
      [[], null],
      [["ok"], "ok"],
      [["ok", "no_data"], "no_data"],
      [["no_data", "alarm", "ok"], "alarm"],
      [["alarm", "error"], "error"],
    ];
    for (const [states, worst] of cases) assert.equal(worstState(states), worst);
  });
});
