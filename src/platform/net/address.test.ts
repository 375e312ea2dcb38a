import assert from "node:assert/strict";
import { test } from "node:test";
import { canonicalIp, classifyAddress } from "./address.ts";

const cases: [string, string | undefined][] = [
  ["8.8.8.8", "public"],
  ["1.1.1.1", "public"],
  ["127.0.0.1", "loopback"],
  ["127.255.0.9", "loopback"],
  ["0.0.0.0", "unspecified"],
  ["10.1.2.3", "private"],
  ["172.16.0.1", "private"],
  ["172.31.255.255", "private"],
  ["172.32.0.1", "public"],
  ["192.168.1.1", "private"],
  ["100.64.0.1", "cgnat"],
  ["100.127.255.255", "cgnat"],
  ["169.254.169.254", "metadata"],
  ["169.254.1.1", "link-local"],
  ["100.100.100.200", "metadata"],
  ["168.63.129.16", "metadata"],
  ["224.0.0.1", "multicast"],
  ["239.255.255.250", "multicast"],
  ["255.255.255.255", "broadcast"],
  ["240.0.0.1", "reserved"],
  ["192.0.2.5", "documentation"],
  ["198.18.0.1", "reserved"],
  ["::", "unspecified"],
  ["::1", "loopback"],
  ["::ffff:127.0.0.1", "loopback"],
  ["::ffff:7f00:1", "loopback"],
  ["::ffff:10.0.0.1", "private"],
  ["::ffff:8.8.8.8", "public"],
  ["::127.0.0.1", "loopback"],
  ["::8.8.8.8", "reserved"],
  ["64:ff9b::a9fe:a9fe", "metadata"],
  ["64:ff9b::808:808", "public"],
  ["64:ff9b:1::1", "private"],
  ["2002:7f00:1::", "loopback"],
  ["2002:c0a8:101::1", "private"],
  ["2001::1", "reserved"],
  ["2001:db8::1", "documentation"],
  ["fc00::1", "private"],
  ["fd12:3456::1", "private"],
  ["fd00:ec2::254", "metadata"],
  ["fe80::1", "link-local"],
  ["fec0::1", "private"],
  ["ff02::1", "multicast"],
  ["100::1", "reserved"],
  ["2606:4700:4700::1111", "public"],
  ["2a00:1450:4001::1", "public"],
  ["[::1]", "loopback"],
  ["fe80::1%eth0", undefined],
  ["localhost", undefined],
  ["1.2.3", undefined],
  ["01.2.3.4", undefined],
];

for (const [ip, want] of cases) {
  test(`classifyAddress(${ip}) = ${want ?? "not an IP"}`, () => {
    assert.equal(classifyAddress(ip), want);
  });
}

test("canonicalIp folds IPv4-mapped IPv6 and zero runs", () => {
  assert.equal(canonicalIp("::ffff:7f00:1"), "127.0.0.1");
  assert.equal(canonicalIp("[::1]"), "0:0:0:0:0:0:0:1");
  assert.equal(canonicalIp("0:0::1"), "0:0:0:0:0:0:0:1");
  assert.equal(canonicalIp("127.0.0.1"), "127.0.0.1");
});
