// The hostile family against our Thrift servers (ours-servers.ts).
import { defineOursServers } from './ours-servers.ts';

defineOursServers('thrift');
