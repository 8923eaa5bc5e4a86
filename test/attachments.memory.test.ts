import { memoryStorage } from "../server/attachments/storage.ts";
import { describeAttachmentStorageContract } from "./attachments.contract.ts";

describeAttachmentStorageContract("memory", async () => memoryStorage());
