import { AwsClient } from "aws4fetch";

const EP = process.env.EP || "http://127.0.0.1:7480";
const AK = process.env.AK || "AKIATEST",
  SK = process.env.SK || "secrettest";
const ok = new AwsClient({
  accessKeyId: AK,
  secretAccessKey: SK,
  service: "s3",
  region: "us-east-1",
});
const bad = new AwsClient({
  accessKeyId: AK,
  secretAccessKey: "WRONG-secret",
  service: "s3",
  region: "us-east-1",
});
const b = `probe-${Date.now()}`;
const show = async (label, r) => {
  const t = await r.text();
  console.log(label, r.status, t.slice(0, 160).replace(/\n/g, " "));
  return t;
};
await show("createBucket", await ok.fetch(`${EP}/${b}`, { method: "PUT" }));
await show(
  "putObject",
  await ok.fetch(`${EP}/${b}/dir/hello.txt`, {
    method: "PUT",
    body: "hello world",
    headers: { "content-type": "text/plain" },
  }),
);
await show("getObject", await ok.fetch(`${EP}/${b}/dir/hello.txt`));
await show("listV2", await ok.fetch(`${EP}/${b}?list-type=2&prefix=dir/`));
await show("WRONG-secret GET", await bad.fetch(`${EP}/${b}/dir/hello.txt`));
await show(
  "WRONG-secret PUT",
  await bad.fetch(`${EP}/${b}/evil.txt`, { method: "PUT", body: "x" }),
);
await show("anonymous GET", await fetch(`${EP}/${b}/dir/hello.txt`));
// tampered: sign one path, send another
const signed = await ok.sign(`${EP}/${b}/dir/hello.txt`);
await show("tampered path", await fetch(`${EP}/${b}/dir/other.txt`, { headers: signed.headers }));
// presigned GET via query signing
const pre = await ok.sign(`${EP}/${b}/dir/hello.txt?X-Amz-Expires=60`, {
  aws: { signQuery: true },
});
await show("presigned GET", await fetch(pre.url));
const preBad = await bad.sign(`${EP}/${b}/dir/hello.txt?X-Amz-Expires=60`, {
  aws: { signQuery: true },
});
await show("presigned WRONG", await fetch(preBad.url));
const prePut = await ok.sign(`${EP}/${b}/up.txt?X-Amz-Expires=60`, {
  method: "PUT",
  aws: { signQuery: true },
});
await show("presigned PUT", await fetch(prePut.url, { method: "PUT", body: "via presign" }));
await show("get presigned-put obj", await ok.fetch(`${EP}/${b}/up.txt`));
if (process.env.VHOST) {
  // virtual-host style: bucket.localhost
  const u = new URL(EP);
  const vh = `${u.protocol}//${b}.localhost:${u.port}/dir/hello.txt`;
  await show("vhost GET", await ok.fetch(vh));
}
await show("deleteObject", await ok.fetch(`${EP}/${b}/dir/hello.txt`, { method: "DELETE" }));
await show("deleteObject2", await ok.fetch(`${EP}/${b}/up.txt`, { method: "DELETE" }));
await show("getDeleted", await ok.fetch(`${EP}/${b}/dir/hello.txt`));
await show("deleteBucket", await ok.fetch(`${EP}/${b}`, { method: "DELETE" }));
