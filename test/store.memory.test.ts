import { memoryStore } from "../server/store/memory.ts";
import { describeStoreContract } from "./store.contract.ts";

describeStoreContract("memory", async () => memoryStore());
