// Plain Node, no TypeScript loader: the SDK as an installed package, against a real server.
import { createClient, memoryStorage } from "omnithread/sdk";

const chat = createClient({ server: process.argv[2], siteId: "demo", storage: memoryStorage() });
const conversation = await chat.start();
const event = await chat.send("hello from plain node");
chat.close();
console.log(JSON.stringify({ conversation: conversation.id, seq: event.seq, text: event.text }));
