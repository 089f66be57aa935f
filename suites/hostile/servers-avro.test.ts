// The hostile family against our Avro servers (ours-servers.ts).
import { defineOursServers } from './ours-servers.ts';

defineOursServers('avro');
